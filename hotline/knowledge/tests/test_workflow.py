"""The knowledge base's workflow and rules (R-KB, ZS 34–35)."""

import datetime as dt

import pytest

from hotline.core.errors import Conflict, DomainError, PermissionDenied
from hotline.knowledge import notices, selectors, services
from hotline.knowledge.models import Entry, EntryVersion, ErrorReport, Kind, Status
from hotline.knowledge.tests.conftest import content
from hotline.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_R_KB_unit_drafts_submits_hotline_returns_then_approves(people, units):
    clerk, reviewer = people["zjj_clerk"], people["supervisor1"]
    entry = services.entry_create(
        actor=clerk, kind=Kind.QA, owner=units["QX-ZJJ"], content=content()
    )
    assert entry.status == Status.DRAFT and entry.published_version is None
    with pytest.raises(Conflict):
        services.entry_approve(actor=reviewer, entry=entry)  # not submitted yet
    services.entry_submit(actor=clerk, entry=entry)
    with pytest.raises(PermissionDenied):
        services.entry_approve(actor=clerk, entry=entry)  # a unit cannot publish itself
    with pytest.raises(DomainError):
        services.entry_return(actor=reviewer, entry=entry, reason=" ")
    services.entry_return(actor=reviewer, entry=entry, reason="请补充办理地点")
    entry.refresh_from_db()
    assert entry.status == Status.RETURNED and entry.return_reason == "请补充办理地点"
    services.entry_edit(
        actor=clerk, entry=entry, content=content(title="住房公积金提取（含地点）"), note="补地点"
    )
    services.entry_submit(actor=clerk, entry=entry)
    services.entry_approve(actor=reviewer, entry=entry)
    entry.refresh_from_db()
    assert entry.status == Status.PUBLISHED
    assert entry.published_version.number == 2
    assert entry.published_version.title == "住房公积金提取（含地点）"
    kinds = list(entry.events.values_list("kind", flat=True))
    assert kinds == ["created", "submitted", "returned", "edited", "submitted", "approved"]


def test_R_KB_published_words_stay_while_an_edit_waits_for_review(people, publish):
    entry = publish()
    services.entry_edit(actor=people["zjj_clerk"], entry=entry, content=content(answer="新的口径"))
    entry.refresh_from_db()
    assert entry.status == Status.DRAFT
    assert entry.published_version.number == 1 and entry.current.number == 2
    hits = selectors.search(people["operator1"], "公积金提取", on=dt.date(2025, 6, 1))
    assert [h.version.number for h in hits] == [1]
    assert EntryVersion.objects.filter(entry=entry).count() == 2  # every edit a version


def test_R_KB_a_unit_keeps_only_its_own_entries(people, publish):
    entry = publish()
    with pytest.raises(PermissionDenied):
        services.entry_edit(actor=people["cgj_clerk"], entry=entry, content=content())
    with pytest.raises(PermissionDenied):
        services.entry_create(
            actor=people["operator1"], kind=Kind.QA, owner=entry.owner, content=content()
        )
    # Another unit sees the published entry but not a draft of someone else.
    services.entry_create(
        actor=people["zjj_clerk"], kind=Kind.QA, owner=entry.owner, content=content(title="草稿")
    )
    seen = Entry.objects.visible_to(people["cgj_clerk"])
    assert list(seen) == [entry]


def test_R_KB_emergency_script_published_at_once_by_the_hotline(people, units):
    entry = services.script_publish_emergency(
        actor=people["supervisor1"],
        owner=units["QX-YJJ"],
        content=content(title="台风应答口径", answer="已启动防汛应急响应，请减少外出。"),
    )
    assert entry.status == Status.PUBLISHED and entry.emergency
    assert entry.published_version == entry.latest_version
    with pytest.raises(PermissionDenied):
        services.script_publish_emergency(
            actor=people["zjj_clerk"], owner=units["QX-ZJJ"], content=content()
        )


def test_R_KB_policy_before_release_is_marked_internal_and_owner_reminded(people, publish, at):
    at(2025, 9, 22, 10)  # a Monday: the policy arrives 5 working days early (ZS 34(二))
    publish(kind=Kind.POLICY, release_on=dt.date(2025, 9, 29), title="养老保险缴费档次调整解读")
    hits = selectors.search(people["operator1"], "养老保险缴费档次", on=dt.date(2025, 9, 22))
    assert hits and hits[0].unreleased
    assert notices.remind_due()["release"] == 0  # not the day yet
    at(2025, 9, 29, 9)
    hits = selectors.search(people["operator1"], "养老保险缴费档次", on=dt.date(2025, 9, 29))
    assert not hits[0].unreleased
    assert notices.remind_due()["release"] == 1
    assert notices.remind_due()["release"] == 0  # once a day
    sent = Notification.objects.filter(recipient=people["zjj_clerk"], key__startswith="kb-release")
    assert sent.count() == 1
    # With the official text attached, no reminder the next day.
    entry = Entry.objects.get()
    services.attachment_add(
        actor=people["zjj_clerk"], entry=entry, name="正式文件.pdf", data=b"%PDF-1", official=True
    )
    at(2025, 9, 30, 9)
    assert notices.remind_due()["release"] == 0


def test_R_KB_expired_entries_never_appear_at_intake(people, publish):
    publish(expires=dt.date(2025, 3, 31))
    assert selectors.search(people["operator1"], "公积金提取", on=dt.date(2025, 3, 31))
    assert selectors.search(people["operator1"], "公积金提取", on=dt.date(2025, 4, 1)) == []
    assert selectors.search(people["operator1"], "公积金提取", on=dt.date(2024, 12, 31)) == []
    # Without a date (the knowledge page's history view) it is still found.
    assert selectors.search(people["operator1"], "公积金提取")


def test_R_KB_error_correction_deadline_counts_working_days(people, publish, at):
    at(2025, 9, 26, 10)  # Friday before the National Day holiday (10-01..10-08)
    entry = publish()
    report = services.error_report(actor=people["operator1"], entry=entry, reason="电话已变更")
    # 5 working days: 9-28 (make-up Sunday), 9-29, 9-30, 10-09, 10-10.
    assert report.due_at.astimezone(dt.UTC).date() == dt.date(2025, 10, 10)
    assert Notification.objects.filter(
        recipient=people["zjj_clerk"], key__startswith="kb-error"
    ).exists()
    assert list(selectors.overdue_corrections(people["supervisor1"])) == []
    at(2025, 10, 13, 9)
    assert list(selectors.overdue_corrections(people["supervisor1"])) == [report]
    assert notices.remind_due()["overdue"] == 1
    services.entry_edit(actor=people["zjj_clerk"], entry=entry, content=content(answer="改正"))
    services.entry_submit(actor=people["zjj_clerk"], entry=entry)
    services.entry_approve(actor=people["supervisor1"], entry=entry)
    report.refresh_from_db()
    assert report.corrected_at is not None and report.on_time is False
    assert list(selectors.overdue_corrections(people["supervisor1"])) == []


def test_R_KB_correction_on_time_counts_in_the_figures(people, publish, at):
    at(2025, 9, 15, 10)
    entry = publish()
    services.error_report(actor=people["operator1"], entry=entry, reason="地址有误")
    services.entry_edit(actor=people["zjj_clerk"], entry=entry, content=content(answer="已更正"))
    services.entry_submit(actor=people["zjj_clerk"], entry=entry)
    services.entry_approve(actor=people["supervisor1"], entry=entry)
    data = selectors.figures(since=dt.date(2025, 9, 1), until=dt.date(2025, 9, 30))
    row = next(u for u in data["units"] if u["code"] == "QX-ZJJ")
    assert row["errors_reported"] == 1 and row["corrected_on_time"] == 1 and row["overdue"] == 0


def test_R_KB_stale_entries_listed_and_reminded_once(people, publish, at):
    at(2025, 9, 15, 10)
    publish(review_by=dt.date(2025, 9, 10))
    publish(title="未到复核期", review_by=dt.date(2026, 1, 1))
    stale = list(selectors.stale(people["zjj_clerk"]))
    assert [e.current.title for e in stale] == ["住房公积金提取条件"]
    assert notices.remind_due()["review"] == 1
    assert notices.remind_due()["review"] == 0
    data = selectors.figures(since=dt.date(2025, 9, 1), until=dt.date(2025, 9, 30))
    assert next(u for u in data["units"] if u["code"] == "QX-ZJJ")["stale_entries"] == 1


def test_R_KB_works_notice_matches_region_and_place_words(people, units, publish, at):
    at(2025, 9, 15, 8)
    start = dt.datetime(2025, 9, 15, 9, tzinfo=dt.UTC) - dt.timedelta(hours=8)
    publish(
        kind=Kind.WORKS,
        owner="QX-SW",
        by="supervisor1",
        title="滨江路停水",
        answer="今日09:00—17:00滨江路一带停水",
        works_kind="water",
        works_region=units["QX-JB"],
        works_places="滨江路、江滨花园",
        works_start=start,
        works_end=start + dt.timedelta(hours=8),
    )
    assert selectors.works_notices(place="江滨花园3栋")  # place words
    assert selectors.works_notices(place="江滨街道某小区")  # the region's name
    assert selectors.works_notices(place="", region=units["QX-JB"])  # the region itself
    assert selectors.works_notices(place="白沙镇") == []
    at(2025, 9, 15, 18)  # over
    assert selectors.works_notices(place="江滨花园") == []


@pytest.mark.parametrize(
    "change, message",
    [
        ({"owner": None}, "责任单位"),
        ({"answer": ""}, "答复"),
        ({"effective": None}, "生效日期"),
        ({"expires": dt.date(2024, 12, 31)}, "早于生效日期"),
        ({"body": '<p onclick="x()">hi</p>'}, "不安全"),
        ({"body": "<script>alert(1)</script>"}, "不安全"),
    ],
)
def test_R_KB_bad_entries_are_refused_and_nothing_is_saved(people, units, change, message):
    owner = change.pop("owner", units["QX-ZJJ"])
    with pytest.raises(DomainError) as caught:
        services.entry_create(
            actor=people["zjj_clerk"], kind=Kind.QA, owner=owner, content=content(**change)
        )
    assert message in caught.value.message
    assert Entry.objects.count() == 0 and EntryVersion.objects.count() == 0


def test_R_KB_body_is_sanitised_and_oversized_attachment_refused(people, publish, settings):
    entry = publish(body='<p>见<a href="https://example.org">原文</a><img src="x"></p>')
    assert (
        entry.current.body
        == '<p>见<a href="https://example.org" rel="noopener noreferrer">原文</a></p>'
    )
    with pytest.raises(DomainError) as caught:
        services.attachment_add(
            actor=people["zjj_clerk"],
            entry=entry,
            name="big.pdf",
            data=b"0" * (services.policy.MAX_ATTACHMENT_BYTES + 1),
        )
    assert caught.value.code == "attachment_too_large"
    assert entry.attachments.count() == 0


def test_R_KB_error_report_needs_a_published_entry(people, units):
    entry = services.entry_create(
        actor=people["zjj_clerk"], kind=Kind.QA, owner=units["QX-ZJJ"], content=content()
    )
    with pytest.raises(Conflict):
        services.error_report(actor=people["operator1"], entry=entry, reason="x")
    assert ErrorReport.objects.count() == 0


def test_R_HM_2_guidance_line_comes_from_the_service_entry(units, publish):
    unit = units["QX-SW"]
    assert selectors.guidance_for(unit).public_phone == unit.public_phone  # directory fallback
    publish(
        kind=Kind.SERVICE,
        owner="QX-SW",
        by="supervisor1",
        title="供水服务指南",
        public_phone="0570-96390",
        service_hours="24小时",
    )
    guidance = selectors.guidance_for(unit)
    assert guidance.public_phone == "0570-96390" and guidance.version is not None
    assert "0570-96390" in selectors.guidance_text(guidance)
