"""Calendar adjustments, official schedules and policy versions through the services."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from hotline.accounts.models import Role
from hotline.core.errors import Conflict, DomainError, PermissionDenied
from hotline.core.models import AuditEvent
from hotline.sla import selectors, services
from hotline.sla.deadlines import add_working_days
from hotline.sla.models import PolicyVersion
from hotline.sla.policy_json import to_dict
from hotline.sla.presets import KJ

SH = ZoneInfo("Asia/Shanghai")
SCHEDULE_2027 = """开始日期,结束日期,类型,名称
2027-01-01,2027-01-03,放假,元旦
2027-02-06,2027-02-12,放假,春节
2027-02-13,,上班,春节
"""


@pytest.fixture
def admin(users):
    return users[Role.ADMIN]


def test_override_takes_effect_at_once_r_dl_1(admin):
    before = selectors.work_calendar()
    assert before.is_workday(date(2025, 7, 15))
    services.calendar_override_set(
        actor=admin, day=date(2025, 7, 15), workday=False, reason="台风停工"
    )
    after = selectors.work_calendar()
    assert not after.is_workday(date(2025, 7, 15))
    assert after.mark(date(2025, 7, 15)).reason == "台风停工"
    services.calendar_override_set(actor=admin, day=date(2025, 7, 19), workday=True, reason="补班")
    assert selectors.work_calendar().is_workday(date(2025, 7, 19))  # a Saturday
    services.calendar_override_remove(actor=admin, day=date(2025, 7, 15))
    assert selectors.work_calendar().is_workday(date(2025, 7, 15))
    assert AuditEvent.objects.filter(kind__startswith="calendar_override").count() == 3


def test_override_needs_a_reason_and_an_administrator(users, admin):
    with pytest.raises(DomainError, match="原因"):
        services.calendar_override_set(
            actor=admin, day=date(2025, 7, 15), workday=False, reason=" "
        )
    with pytest.raises(PermissionDenied):
        services.calendar_override_set(
            actor=users[Role.SUPERVISOR], day=date(2025, 7, 15), workday=False, reason="x"
        )


def test_year_without_official_schedule_then_entered_r_dl_1(admin):
    start = datetime(2026, 12, 28, 10, 0, tzinfo=SH)
    deadline = add_working_days(selectors.work_calendar(), start, 10)
    assert deadline.unofficial_years == (2027,)
    assert any("2027 年尚无" in line for line in deadline.explanation)
    services.official_year_enter(
        actor=admin, year=2027, text=SCHEDULE_2027, notice="国办发明电〔2026〕7号"
    )
    cal = selectors.work_calendar()
    assert cal.has_official_schedule(2027)
    assert not cal.is_workday(date(2027, 1, 1))
    assert cal.is_workday(date(2027, 2, 13))  # a Saturday, 调休
    later = add_working_days(cal, start, 10)
    assert later.unofficial_years == ()
    assert later.due > deadline.due  # 元旦 01-01 (a Friday) is now a day off


def test_official_schedule_errors_save_nothing(admin):
    bad = "2027-01-01,2027-01-03,放假,元旦\n2027-13-01,,上班,春节\n2026-05-01,,放假,劳动节\n"
    with pytest.raises(services.ScheduleRejected) as caught:
        services.official_year_enter(actor=admin, year=2027, text=bad)
    assert [e.line for e in caught.value.errors] == [2, 3]
    assert not selectors.work_calendar().has_official_schedule(2027)


def test_install_preset_and_versions_are_immutable(admin):
    v1 = PolicyVersion.objects.get(policy__code="KJ")  # installed by the demo city
    assert v1.number == 1 and v1.as_policy() == KJ
    with pytest.raises(Conflict):
        services.policy_install_preset(actor=admin, code="KJ")
    data = to_dict(KJ)
    data["rules"][0]["reply"]["amount"] = 4
    v2 = services.policy_version_create(
        actor=admin, policy=v1.policy, data=data, note="咨询类改为4天", based_on=1
    )
    assert v2.number == 2
    v1.refresh_from_db()
    assert v1.as_policy().rules[0].reply.amount == 3  # the old version did not change
    assert v2.as_policy().rules[0].reply.amount == 4
    with pytest.raises(Conflict, match="第 2 版"):
        services.policy_version_create(
            actor=admin, policy=v1.policy, data=data, note="x", based_on=1
        )
    with pytest.raises(DomainError, match="原因"):
        services.policy_version_create(actor=admin, policy=v1.policy, data=data, note="")
    data["rules"][0]["reply"]["amount"] = -2
    with pytest.raises(DomainError, match="非负数"):
        services.policy_version_create(actor=admin, policy=v1.policy, data=data, note="x")
    assert PolicyVersion.objects.filter(policy=v1.policy).count() == 2


def test_sr_preset_requires_its_numbers(admin):
    with pytest.raises(DomainError, match="参数"):
        services.policy_install_preset(actor=admin, code="SR")
    version = services.policy_install_preset(
        actor=admin,
        code="SR",
        parameters={"consult_days": 3, "complaint_days": 7, "complex_max_days": 30},
    )
    assert version.as_policy().missing_parameters() == []


def test_demo_city_installs_policies_with_kj_default(demo):
    version = selectors.default_policy_version()
    assert version.policy.code == "KJ"
    assert {p.code for p in selectors.policy_list()} == {"KJ", "LX", "KM", "ZS"}
