"""The ladder is policy data (R-SV-2): stored with each version, validated, defaulted."""

import pytest

from hotline.sla import policies, policy_json, presets
from hotline.sla.policies import Contact, PeriodUnit, PolicyError, RungMeasure


def test_kj_preset_ladder_follows_kj_2_3():
    ladder = presets.KJ.ladder
    assert [r.key for r in ladder] == ["deputy", "head", "letter", "recommendation", "criticism"]
    deputy, head = ladder[0], ladder[1]
    assert deputy.by == Contact.HOTLINE_DEPUTY_HEAD and Contact.UNIT_DEPUTY_HEAD in deputy.to
    assert head.by == Contact.HOTLINE_HEAD and Contact.UNIT_HEAD in head.to
    assert ladder[2].measure == RungMeasure.LETTER and ladder[2].number_word == "督"
    assert ladder[3].only_without_extension and ladder[4].min_reminders == 2
    assert all(r.wait.unit == PeriodUnit.WORKING_DAYS for r in ladder)


def test_ladder_round_trips_and_old_versions_get_the_default():
    for preset in presets.PRESETS.values():
        assert policy_json.from_dict(policy_json.to_dict(preset)).ladder == preset.ladder
    data = policy_json.to_dict(presets.LX)
    del data["ladder"]
    assert policy_json.from_dict(data).ladder == policies.DEFAULT_LADDER
    data["ladder"] = []
    assert policy_json.from_dict(data).ladder == ()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"wait": {"unit": "working_days", "amount": 1.5}}, "整数"),
        ({"wait": {"unit": "catalog"}}, "固定"),
        ({"by": None}, "由谁催办"),
        ({"key": "head"}, "重复"),
    ],
)
def test_bad_ladders_are_refused(change, message):
    data = policy_json.to_dict(presets.KJ)
    data["ladder"][0].update(change)
    with pytest.raises(PolicyError, match=message):
        policy_json.from_dict(data)


def test_hours_are_allowed():
    data = policy_json.to_dict(presets.KJ)
    data["ladder"][0]["wait"] = {"unit": "working_hours", "amount": 4}
    assert policy_json.from_dict(data).ladder[0].wait.unit == PeriodUnit.WORKING_HOURS
