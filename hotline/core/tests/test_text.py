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
