"""Calendar, policy and calculator pages; the `hotline deadline` command."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hotline.accounts.models import Role
from hotline.sla.models import CalendarDay, PolicyVersion


@pytest.fixture
def staff(client, users):
    client.force_login(users[Role.DISPATCHER])
    return client


@pytest.fixture
def admin(client, users):
    client.force_login(users[Role.ADMIN])
    return client


def test_calendar_page_shows_holidays_and_makeup_days(staff):
    body = staff.get("/sla/calendar/2024/").content.decode()
    assert "春节放假" in body and "调休上班（春节）" in body
    assert 'id="no-official"' not in body


def test_calendar_page_says_plainly_when_a_year_has_no_schedule(staff):
    body = staff.get("/sla/calendar/2027/").content.decode()
    assert 'id="no-official"' in body and "2027" in body


def test_staff_cannot_adjust_the_calendar(staff):
    response = staff.post(
        "/sla/calendar/2025/", {"day": "2025-07-15", "kind": "off", "reason": "台风"}
    )
    assert response.status_code == 403
    assert not CalendarDay.objects.exists()


def test_admin_adds_override_on_the_page(admin):
    response = admin.post(
        "/sla/calendar/2025/",
        {"day": "2025-07-15", "kind": "off", "reason": "台风停工"},
        follow=True,
    )
    assert "立即生效" in response.content.decode()
    assert CalendarDay.objects.get(day=date(2025, 7, 15)).workday is False
    bad = admin.post("/sla/calendar/2025/", {"day": "not a date", "kind": "off", "reason": ""})
    assert bad.status_code == 400


def test_admin_enters_a_year_schedule_with_errors_listed(admin):
    response = admin.post(
        "/sla/calendar/2027/official/", {"text": "2027-01-01,2027-01-03,假期,元旦\n", "notice": ""}
    )
    assert response.status_code == 400
    assert "第 1 行" in response.content.decode()
    ok = admin.post(
        "/sla/calendar/2027/official/",
        {"text": "2027-01-01,2027-01-03,放假,元旦\n", "notice": "通知"},
        follow=True,
    )
    assert "2027 年节假日安排已保存" in ok.content.decode()


def test_policy_page_cites_the_clauses(staff):
    body = staff.get("/sla/policies/KJ/").content.decode()
    assert "开江 预警机制 二(一)" in body and "原则上不得延期" in body
    assert "编辑" not in body  # read-only for staff
    assert "上饶 管理办法 三(三)2" in staff.get("/sla/policies/SR/").content.decode()
    assert staff.get("/sla/policies/NOPE/").status_code == 404


def test_admin_edits_a_policy_into_a_new_version(admin):
    form = admin.get("/sla/policies/KJ/edit/").context["form"]
    data = {
        name: field.initial
        for name, field in form.fields.items()
        if field.initial not in (None, False)
    }
    data.update(
        {
            "r0_reply": "4",
            "note": "试行4天",
            "based_on": "1",
            "day_start": "08:30",
            "day_end": "17:30",
        }
    )
    response = admin.post("/sla/policies/KJ/edit/", data, follow=True)
    assert "第 2 版" in response.content.decode()
    latest = PolicyVersion.objects.get(policy__code="KJ", number=2).as_policy()
    assert latest.rules[0].reply.amount == 4
    assert latest.rules[1].reply.amount == 5
    stale = admin.post("/sla/policies/KJ/edit/", {**data, "based_on": "1"})
    assert stale.status_code == 400 and "他人修改" in stale.content.decode()


def test_staff_cannot_edit_policies(staff):
    assert staff.get("/sla/policies/KJ/edit/").status_code == 403


def test_calculator_page_explains(staff):
    response = staff.get(
        "/sla/calculator/", {"start": "2024-02-08T16:00", "amount": "5", "unit": "working_days"}
    )
    body = response.content.decode()
    assert "2024-02-21 17:30" in body and "02-10 至 02-17 春节放假" in body
    by_rule = staff.get(
        "/sla/calculator/",
        {
            "start": "2025-09-26T10:00",
            "policy": "KJ",
            "kind": "consult",
            "mode": "written",
            "urgency": "normal",
        },
    ).content.decode()
    assert "2025-09-30 17:30" in by_rule and "开江 预警机制 二(一)" in by_rule
    missing = staff.get("/sla/calculator/", {"start": "2025-09-26T10:00", "policy": "ZS"})
    assert missing.status_code == 400 and "派单目录" in missing.content.decode()
    assert staff.get("/sla/calculator/", {"start": "yesterday"}).status_code == 400


def test_deadline_command_prints_iso_first(demo):
    out = StringIO()
    call_command(
        "deadline", "--from", "2024-02-08T16:00", "--working-days", "5", "--explain", stdout=out
    )
    lines = out.getvalue().splitlines()
    assert lines[0] == "2024-02-21T17:30:00+08:00"
    assert "02-18 调休上班（春节）" in lines
    out = StringIO()
    call_command(
        "deadline", "--from", "2025-09-26T10:00", "--policy", "KJ", "--kind", "help", stdout=out
    )
    assert out.getvalue().splitlines()[0] == "2025-10-16T17:30:00+08:00"
    with pytest.raises(CommandError):
        call_command("deadline", "--from", "2025-09-26T10:00", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("deadline", "--from", "soon", "--working-days", "1", stdout=StringIO())


def test_policy_editor_whole_numbers_urgent_rules_and_ladder_by_form(admin):
    """Issue 15 item 17: numbers read "3", not "3.0"; the urgent rule is marked as such and
    the hotline's urgent dispatch limit, extension limits and every rung of the
    escalation ladder are edited with fields, not JSON."""
    import re

    page = admin.get("/sla/policies/KM/edit/")
    html = page.content.decode()
    assert re.findall(r'value="\d+\.0"', html) == []
    assert 'id="rule-urgent"' in html and '<span class="tag">紧急' in html
    assert 'id="ladder-edit"' in html and 'name="l0_wait"' in html
    assert "发送督办函" in admin.get("/sla/policies/KJ/edit/").content.decode()  # every rung
    form = page.context["form"]
    data: dict[str, object] = {
        name: field.initial
        for name, field in form.fields.items()
        if field.initial not in (None, False, [])
    }
    urgent = next(i for i, r in enumerate(form.policy.rules) if r.key == "urgent")
    data.update(
        {
            "note": "紧急工单一刻钟内派单",
            "based_on": "1",
            "day_start": "08:30",
            "day_end": "17:30",
            "urgent_dispatch_hours": "0.25",
            f"r{urgent}_extension_max_count": "1",
            f"r{urgent}_extension_max": "3",
            "l0_wait": "2",
            "l0_to": ["hotline_deputy_head", "unit_deputy_head"],
        }
    )
    response = admin.post("/sla/policies/KM/edit/", data, follow=True)
    assert "第 2 版" in response.content.decode()
    latest = PolicyVersion.objects.get(policy__code="KM", number=2).as_policy()
    assert latest.clock.urgent_dispatch_hours == 0.25
    rule = latest.rules[urgent]
    assert rule.extension_max_count == 1 and rule.extension_max.amount == 3
    assert latest.ladder[0].wait.amount == 2
    assert [c.value for c in latest.ladder[0].to] == ["hotline_deputy_head", "unit_deputy_head"]
    assert latest.rules[0].label == form.policy.rules[0].label  # the rest kept
    bad = admin.post("/sla/policies/KM/edit/", {**data, "based_on": "2", "l0_wait": "9999"})
    assert bad.status_code == 400


def test_official_year_entry_rejects_an_unknown_day_type(admin):
    """Issue 15 item 17: a day type other than 放假 / 上班 is refused with the line named,
    and nothing of the year is stored."""
    from hotline.sla.models import OfficialYear

    text = "2031-01-01,,放假,元旦\n2031-02-01,2031-02-03,调休,春节\n"
    response = admin.post("/sla/calendar/2031/official/", {"notice": "", "text": text})
    body = response.content.decode()
    assert response.status_code == 400
    assert "类型「调休」应为「放假」或「上班」" in body
    assert not OfficialYear.objects.filter(year=2031).exists()
    assert not CalendarDay.objects.filter(day__year=2031).exists()
