"""PolicyError speaks the interface language and carries a code (decision 0025): the pure
sla modules translate through hotline.sla.i18n, which SlaConfig.ready() ties to Django."""

import pytest
from django.utils import translation

from hotline.sla import policy_json, presets
from hotline.sla.periods import KIND_LABELS, Kind, Period, PeriodUnit
from hotline.sla.policies import Mode, PolicyError, Urgency


def _no_rules():
    data = policy_json.to_dict(presets.PRESETS["KJ"])
    return {**data, "rules": []}


def test_a_policy_error_is_chinese_in_zh_hans_and_english_in_en():
    with translation.override("zh-hans"), pytest.raises(PolicyError) as zh:
        policy_json.from_dict(_no_rules())
    assert str(zh.value) == "政策至少需要一条规则" and zh.value.code == "policy_invalid"
    with translation.override("en"), pytest.raises(PolicyError) as en:
        policy_json.from_dict(_no_rules())
    assert str(en.value) == "A policy needs at least one rule"


def test_a_blank_to_fill_is_policy_incomplete_with_its_arguments_in_the_message():
    policy = presets.PRESETS["SR"]  # Shangrao leaves its numbers blank
    with translation.override("zh-hans"), pytest.raises(PolicyError) as zh:
        policy.resolve(policy.rule_for(Kind.CONSULT, Mode.WRITTEN, Urgency.NORMAL).reply)
    assert zh.value.code == "policy_incomplete"
    assert "consult_days" in str(zh.value) and "尚未填写" in str(zh.value)
    with translation.override("en"), pytest.raises(PolicyError) as en:
        policy.resolve(policy.rule_for(Kind.CONSULT, Mode.WRITTEN, Urgency.NORMAL).reply)
    assert "consult_days" in str(en.value) and "is not filled in yet" in str(en.value)


def test_labels_and_periods_read_in_the_active_language():
    with translation.override("zh-hans"):
        assert KIND_LABELS[Kind.COMPLAINT] == "投诉"
        assert Period(PeriodUnit.WORKING_HOURS, 4).describe() == "4个工作小时"
        assert f"{KIND_LABELS[Kind.HELP]}/" == "求助/"
    with translation.override("en"):
        assert str(KIND_LABELS[Kind.COMPLAINT]) == "Complaint"
        assert Period(PeriodUnit.WORKING_DAYS, 3).describe() == "3 working days"
