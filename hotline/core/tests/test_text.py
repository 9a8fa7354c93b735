"""clean_text's refusals go through gettext (decision 0025): Chinese in the site
language, English on request, naming the field."""

import pytest
from django.utils import translation

from hotline.core.text import TextError, clean_text


def refusal(value, **kwargs) -> str:
    with pytest.raises(TextError) as caught:
        clean_text(value, **kwargs)
    return caught.value.message


def test_refusals_are_chinese_in_the_site_language():
    assert refusal("a\x00") == "「文本」含有空字符（NUL），请重新输入"
    assert (
        refusal("a\ud83d", label="摘要")
        == "「摘要」含有无效的字符编码（不成对的代理项），请重新输入"
    )
    assert refusal("长长长", label="摘要", max_length=2) == "「摘要」过长：最多 2 个字符，现有 3 个"


def test_refusals_follow_the_active_language():
    with translation.override("en"):
        assert refusal("a\x00") == "“text” contains a null character (NUL); please enter it again."
        too_long = refusal("abc", label="summary", max_length=2)
    assert too_long == "“summary” is too long: at most 2 characters, it has 3."


@pytest.mark.django_db
def test_a_save_checks_the_text_it_writes_and_names_the_field_in_the_site_language():
    """The pre_save hook (issue 14 item 1) checks the columns a save writes: with
    `update_fields`, only those (a dispatch writes 7 of the ticket's 35 columns), so a
    save costs the text it sends, not the whole row (issue 14 item 11)."""
    from hotline.tickets.models import Citizen

    citizen = Citizen.objects.create(phone="13900000000", name="张三", address="青溪路1号")
    citizen.name = "张\x00三"
    citizen.address = "青溪路\x072号"
    citizen.save(update_fields=["address"])  # the name is not written, so not checked
    citizen.refresh_from_db()
    assert (citizen.name, citizen.address) == ("张三", "青溪路2号")
    citizen.name = "张\x00三"
    with pytest.raises(TextError) as caught:
        citizen.save()
    label = str(Citizen._meta.get_field("name").verbose_name)
    assert caught.value.message == f"「{label}」含有空字符（NUL），请重新输入"
    with translation.override("en"), pytest.raises(TextError) as caught:
        citizen.save()
    assert caught.value.message.startswith("“name” contains a null character")
