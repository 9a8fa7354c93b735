"""Reply check (R-UN-5): every point answered, measures and a date for long-term matters,
no template-only answers. Small hand-written fixtures; the labelled Teddy Cup replies are
used only when ../shared is present (bench/replies.py has the numbers)."""

import csv
import hashlib
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import translation

from hotline.intelligence.replies import (
    ERROR,
    check_reply,
    citizen_points,
    strip_boilerplate,
)
from hotline.tickets.tests.conftest import *  # noqa: F403  (people, units, at, flow)

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "teddy2020"

QUESTION = (
    "丽发新城小区旁搅拌站噪音扰民\n"
    "A2区丽发新城小区旁边新建了一个搅拌站，日夜施工，噪音和粉尘严重影响居民休息。"
    "请问这个搅拌站有没有环评手续？能否限制夜间施工？希望尽快搬迁。"
)
GOOD = (
    "网友您好！您的留言已收悉。经区生态环境局核实，丽发新城小区旁的搅拌站已办理环评手续，"
    "但存在夜间施工噪音超标的问题。我局已责令该搅拌站停止夜间施工（22时至次日6时），"
    "并对其粉尘排放处以罚款2万元。搅拌站将于2020年6月底前搬迁至工业园区，"
    "搬迁期间我局每周巡查一次。感谢您对我们工作的支持！2019年11月20日"
)
TEMPLATE = (
    "网友您好！您的留言已收悉，已转交相关部门调查处理。感谢您对我们工作的支持！2019年11月20日"
)
FORWARDED = (
    "“UU0081322”您好！您反映的问题已转县卢峰镇人民政府核查、办复，感谢您的留言，"
    "祝您事事顺心。2019年3月14日"
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_r_un_5_a_concrete_reply_is_not_flagged():
    check = check_reply(QUESTION, GOOD)
    assert not check.flagged, check.findings
    assert check.score >= 85
    assert "搅拌站" in check.content and "感谢" not in check.content
    assert "template_only" not in check.codes and "no_measure" not in check.codes


@pytest.mark.parametrize("reply", [TEMPLATE, FORWARDED, "您好！来信收悉。谢谢！"])
def test_r_un_5_template_only_replies_are_flagged(reply):
    check = check_reply(QUESTION, reply)
    assert check.flagged
    assert "template_only" in check.codes
    assert any(f.severity == ERROR for f in check.findings)
    assert check.score < 60


def test_boilerplate_is_cut_but_content_is_kept():
    assert strip_boilerplate(TEMPLATE) == ""
    text = strip_boilerplate(
        "网友“UU008454”您好！您的留言已收悉。现将有关情况回复如下：该工程已纳入规划，"
        "朱良桥乡政府已于2013年5月向县交通局递交了申请报告。感谢您对我们工作的关心！"
    )
    assert text.startswith("该工程已纳入规划")
    assert "递交了申请报告" in text  # 递交 is not 转交: content, not "passed on"
    assert "感谢" not in text and "UU" not in text


def test_too_short():
    check = check_reply(QUESTION, "已处理。")
    assert {"too_short", "template_only"} <= set(check.codes)


def test_r_un_5_long_term_matter_needs_an_expected_date():
    without = (
        "您好！经核实，丽发新城小区旁的搅拌站属于地铁工程配套设施，目前正在协调搬迁选址，"
        "下一步将逐步搬迁至工业园区，搬迁前我局安排专人加强夜间巡查，发现超标施工依法处罚。"
    )
    assert "no_deadline" in check_reply(QUESTION, without).codes
    dated = without.replace("下一步将逐步搬迁", "预计2020年6月底前搬迁")
    assert "no_deadline" not in check_reply(QUESTION, dated).codes
    # the signature date at the end is not a completion date
    signed = without + "　2019年11月20日"
    assert "no_deadline" in check_reply(QUESTION, signed).codes


def test_r_un_5_no_measure():
    reply = (
        "您好！关于丽发新城小区旁搅拌站的噪音和粉尘，以及它的环评手续和夜里作业时间，"
        "还有搬迁的事情，这些都是大家关心的，情况我们都清楚了解。"
    )
    assert "no_measure" in check_reply(QUESTION, reply).codes


def test_citizen_points_are_the_subject_and_the_questions():
    points = citizen_points(QUESTION)
    assert points[0] == "丽发新城小区旁搅拌站噪音扰民"
    assert "请问这个搅拌站有没有环评手续" in points
    assert "能否限制夜间施工" in points
    assert "希望尽快搬迁" in points
    assert not any("日夜施工" in p for p in points)  # a statement, not a question


def test_r_un_5_points_not_answered_are_listed():
    partial = (
        "您好！经核实，丽发新城小区旁的搅拌站环评手续齐全，审批文件已于2019年3月公示，"
        "符合相关规定。感谢您的监督！"
    )
    check = check_reply(QUESTION, partial)
    assert "points_missed" in check.codes
    assert "能否限制夜间施工" in check.missed
    assert all("环评" not in p for p in check.missed)
    assert "points_missed" not in check_reply(QUESTION, GOOD).codes


def test_reply_about_something_else_does_not_mention_the_subject():
    other = (
        "您好！经核实，您所在片区的学位已按规定分配，孩子可于8月20日前到学校报名，"
        "所需材料为户口簿和房产证。"
    )
    check = check_reply(QUESTION, other)
    assert "no_subject" in check.codes
    assert "no_subject" not in check_reply(QUESTION, GOOD).codes


def test_empty_inputs_do_not_fail():
    check = check_reply("", "")
    assert check.flagged
    assert check_reply(QUESTION, GOOD, subject="").score == check_reply(QUESTION, GOOD).score


def test_findings_are_translatable_messages():
    check = check_reply(QUESTION, TEMPLATE)
    assert all(f.message and f.code and f.severity for f in check.findings)


def test_template_tag_with_strings_and_with_a_reply():
    html = Template("{% load intelligence %}{% reply_check q r %}").render(
        Context({"q": QUESTION, "r": TEMPLATE})
    )
    assert 'data-code="template_only"' in html and "Reply check" in html
    reply = SimpleNamespace(
        text=GOOD,
        assignment=SimpleNamespace(
            ticket=SimpleNamespace(summary="丽发新城小区旁搅拌站噪音扰民", detail=QUESTION)
        ),
    )
    html = Template("{% load intelligence %}{% reply_check r %}").render(Context({"r": reply}))
    assert "data-score" in html and "template_only" not in html
    ticket = SimpleNamespace(summary="学区划分咨询", detail="孩子明年上小学，请问学区怎么划分？")
    html = Template("{% load intelligence %}{% reply_check r ticket=t %}").render(
        Context({"r": reply, "t": ticket})
    )
    assert 'data-code="no_subject"' in html
    assert Template("{% load intelligence %}{% reply_check None %}").render(Context()).strip() == ""


def test_r_un_5_leader_and_reviewer_see_the_check(client, people, flow):
    ticket = flow.to("handling")
    flow.reply(ticket, text="您好！您反映的问题已收悉，已转交相关部门处理。谢谢！")
    client.force_login(people["zjj_leader"])
    page = client.get("/inbox/", {"tab": "approve"}).content.decode()
    assert 'class="reply-check' in page and 'data-code="template_only"' in page
    flow.approve_reply(ticket)
    client.force_login(people["dispatcher1"])
    page = client.get("/dispatch/", {"tab": "completion"}).content.decode()
    assert 'data-code="template_only"' in page


@pytest.mark.skipif(not (SHARED / "replies.csv").is_file(), reason="no ../shared data")
def test_labelled_replies_test_half_flags_most_bad_replies():
    """On the TEST half (md5(id) first byte odd) of the hand labels: most replies labelled
    'explains nothing' are flagged, and most flagged ones are labelled so."""
    with open(SHARED / "replies.csv", encoding="utf-8") as handle:
        rows = [
            r for r in csv.DictReader(handle) if hashlib.md5(r["id"].encode()).digest()[0] % 2 == 1
        ]
    flags = [
        check_reply(r["subject"] + "\n" + r["detail"], r["reply"], subject=r["subject"]).flagged
        for r in rows
    ]
    bad = [r["interpretability_syu"] == "0" for r in rows]
    tp = sum(f and b for f, b in zip(flags, bad, strict=True))
    assert tp / sum(bad) >= 0.85
    assert tp / sum(flags) >= 0.65


def test_a_short_reply_that_is_all_content_is_short_not_set_phrases():
    check = check_reply(
        "小区电梯长期停运，物业不维修", "已约谈物业公司，电梯已于今日修复并通过检测。"
    )
    codes = {f.code for f in check.findings}
    assert "too_short" in codes and "template_only" not in codes
