"""Policies and presets as data (R-DL-2): matching, parameters, JSON round trip."""

import pytest

from hotline.sla.policies import (
    Kind,
    Mode,
    PeriodUnit,
    PolicyError,
    Urgency,
)
from hotline.sla.policy_json import from_dict, to_dict
from hotline.sla.presets import KJ, KM, LX, PRESETS, SR, ZS


def days(policy, kind, mode, urgency=Urgency.NORMAL, **kw):
    rule = policy.rule_for(kind, mode, urgency)
    return policy.resolve(rule.reply, **kw).amount


@pytest.mark.parametrize(
    ("kind", "reply", "lead"),
    [
        (Kind.CONSULT, 3, 2),
        (Kind.SUGGEST, 5, 3),
        (Kind.HELP, 10, 5),
        (Kind.COMPLAINT, 10, 5),
        (Kind.REPORT, 10, 5),
    ],
)
def test_kj_numbers_r_dl_2(kind, reply, lead):
    for mode in Mode:
        rule = KJ.rule_for(kind, mode)
        assert rule.reply.amount == reply and rule.reminder_leads == (lead,)
        assert rule.sign.amount == 1 and rule.return_window.amount == 1
        assert rule.extension_allowed is False
        assert rule.citation == "开江 预警机制 二(一)"


def test_lx_numbers_r_dl_2():
    assert days(LX, Kind.COMPLAINT, Mode.INSTRUCTION) == 15
    assert LX.rule_for(Kind.COMPLAINT, Mode.INSTRUCTION).instruction_may_set_deadline
    assert days(LX, Kind.HELP, Mode.WRITTEN) == 10
    assert days(LX, Kind.HELP, Mode.PHONE) == 5
    assert LX.rule_for(Kind.HELP, Mode.PHONE, Urgency.URGENT).report_any_time
    assert LX.rule_for(Kind.HELP, Mode.WRITTEN).extension_allowed


def test_km_numbers_r_dl_2():
    assert days(KM, Kind.COMPLAINT, Mode.WRITTEN) == 7
    assert days(KM, Kind.COMPLAINT, Mode.PHONE) == 3
    assert KM.rule_for(Kind.HELP, Mode.PHONE, Urgency.URGENT).report_any_time


def test_zs_defers_to_the_catalog_and_its_clock_rules_r_dl_3():
    rule = ZS.rule_for(Kind.HELP, Mode.WRITTEN)
    assert rule.reply.unit == PeriodUnit.CATALOG
    assert days(ZS, Kind.HELP, Mode.WRITTEN, catalog_days=12) == 12
    with pytest.raises(PolicyError, match="派单目录"):
        ZS.resolve(rule.reply)
    assert ZS.clock.on_return_approved == "restart"
    assert ZS.clock.on_return_refused == "first_receipt"
    assert ZS.clock.on_completion_refused == "first_receipt"
    assert ZS.clock.review_time_counted is False


def test_sr_numbers_are_required_parameters():
    assert [p.name for p in SR.missing_parameters()] == [
        "consult_days",
        "complaint_days",
        "complex_max_days",
    ]
    with pytest.raises(PolicyError, match="尚未填写"):
        days(SR, Kind.CONSULT, Mode.WRITTEN)
    filled = SR.with_parameters({"consult_days": 3, "complaint_days": 7, "complex_max_days": 30})
    assert filled.missing_parameters() == []
    assert days(filled, Kind.CONSULT, Mode.WRITTEN) == 3
    assert days(filled, Kind.HELP, Mode.PHONE) == 7
    with pytest.raises(PolicyError, match="未知参数"):
        SR.with_parameters({"x": 1})


@pytest.mark.parametrize("code", sorted(PRESETS))
def test_every_preset_covers_every_kind_and_mode_and_round_trips(code):
    policy = PRESETS[code]
    policy.validate()
    assert from_dict(to_dict(policy)) == policy
    assert all(rule.citation or rule.note for rule in policy.rules)


def test_from_dict_rejects_broken_data():
    data = to_dict(KJ)
    data["rules"] = data["rules"][:1]  # only consultation left: other kinds uncovered
    with pytest.raises(PolicyError, match="没有适用于"):
        from_dict(data)
    data = to_dict(KJ)
    data["rules"][0]["reply"] = {"unit": "fortnights", "amount": 1}
    with pytest.raises(PolicyError, match="无法识别的时限"):
        from_dict(data)
    data = to_dict(KJ)
    data["rules"][0]["reply"]["amount"] = -1
    with pytest.raises(PolicyError, match="非负数"):
        from_dict(data)
    with pytest.raises(PolicyError):
        from_dict({"code": "X"})
