"""The portal and the channels' answers speak through gettext (issue 13): Chinese by
default, English when chosen, the same words either way (R-IN-1)."""

import pytest
from django.conf import settings
from django.utils import translation

from hotline.channels import progress, wechat
from hotline.portal import selectors

PAGES = ["/portal/", "/portal/track/", "/portal/verify/"]


@pytest.fixture(autouse=True)
def chinese_afterwards():
    """An English request leaves English active in this thread: back to the default."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.mark.parametrize("url", PAGES)
def test_portal_pages_chinese_by_default_english_on_request(client, demo, portal, url):
    chinese = client.get(url).content.decode()
    assert "12345 政务服务便民热线" in chinese and "citizen service hotline" not in chinese
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(url).content.decode()
    assert "12345 citizen service hotline" in english and "政务服务便民热线" not in english


def test_track_page_words_in_both_languages(client, demo, portal):
    form = {"number": "2026000000001", "phone": "13900001111"}
    assert "号码与工单不匹配" in client.post("/portal/track/", form).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.post("/portal/track/", form).content.decode()
    assert "Number and phone do not match" in page and "查询办理进度" not in page


def test_channel_texts_follow_the_language(demo):
    step = progress.Step(at=None, title="T", detail="D")  # type: ignore[arg-type]
    with translation.override(settings.LANGUAGE_CODE):
        assert str(wechat.HELP).startswith("您好，这里是 12345 热线")
        assert str(selectors.NO_MATCH) == "号码与工单不匹配"
        assert progress.step_text(step) == "T：D"
    with translation.override("en"):
        assert str(wechat.HELP).startswith("Hello, this is the 12345 hotline")
        assert progress.step_text(step) == "T: D"
