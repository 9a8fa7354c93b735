"""The policy editor's form (issue 15 item 17): every number an administrator may change
without writing JSON: the clock and the hotline's own pace (dispatch, urgent dispatch,
review), every rule (the urgent rules too: which urgency a rule applies to is shown with
it), extension limits, and the escalation ladder rung by rung. Numbers show as people
write them ("3", not "3.0"). Saving makes a new version (`services.policy_version_create`).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from hotline.sla import policies, policy_json
from hotline.sla.policies import Contact, PeriodUnit, RungAnchor

MAX_DAYS = 250  # working days: no value can carry a deadline past the calendar


class NumberInput(forms.NumberInput):
    """A number as people write it: 3 rather than 3.0, 0.5 stays 0.5."""

    def format_value(self, value):
        if isinstance(value, float):
            return policies.format_number(value)
        return super().format_value(value)


class NumberField(forms.FloatField):
    widget = NumberInput

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 0)
        super().__init__(**kwargs)
        self.widget.attrs["step"] = "any"  # 0.5 working days is allowed


CONTACT_CHOICES = [
    (Contact.HOTLINE_LIAISON.value, _l("Hotline liaison")),
    (Contact.HOTLINE_DEPUTY_HEAD.value, _l("Hotline deputy head")),
    (Contact.HOTLINE_HEAD.value, _l("Hotline head")),
    (Contact.UNIT_LIAISON.value, _l("Unit liaison")),
    (Contact.UNIT_DEPUTY_HEAD.value, _l("Unit deputy head")),
    (Contact.UNIT_HEAD.value, _l("Unit head")),
    (Contact.UNIT_STAFF.value, _l("Unit staff (in-app)")),
    (Contact.SUPERVISORS.value, _l("Supervisors (in-app)")),
]
WAIT_UNITS = [
    (u.value, policies.UNIT_LABELS[u])
    for u in (PeriodUnit.WORKING_DAYS, PeriodUnit.WORKING_HOURS, PeriodUnit.NATURAL_HOURS)
]


def applies_to(rule: policies.Rule) -> str:
    """Who the rule is for, in words: 紧急 · 投诉 · 书面交办 (empty: every ticket)."""
    parts = [policies.URGENCY_LABELS[u] for u in rule.urgencies]
    parts += [policies.KIND_LABELS[k] for k in rule.kinds]
    parts += [policies.MODE_LABELS[m] for m in rule.modes]
    return " · ".join(str(p) for p in parts)


class PolicyEditForm(forms.Form):
    """The numbers of every rule, the clock, the parameters and the ladder."""

    note = forms.CharField(label=_l("Reason for the change"), max_length=200)

    def __init__(self, *args, policy: policies.Policy, **kwargs):
        super().__init__(*args, **kwargs)
        self.policy = policy
        clock_policy = policy.clock
        f = self.fields
        f["count_receipt_day"] = forms.BooleanField(
            label=_("Day of receipt counted"),
            required=False,
            initial=clock_policy.count_receipt_day,
        )
        f["day_start"] = forms.TimeField(label=_("Work starts"), initial=clock_policy.day_start)
        f["day_end"] = forms.TimeField(label=_("Work ends"), initial=clock_policy.day_end)
        f["cutoff"] = forms.TimeField(
            label=_("Cut-off time for receipt"), required=False, initial=clock_policy.cutoff
        )
        f["dispatch_hours"] = NumberField(
            label=_("Dispatch time limit (hours)"),
            max_value=720,
            initial=clock_policy.dispatch_hours,
        )
        f["urgent_dispatch_hours"] = NumberField(
            label=_("Dispatch time limit for urgent tickets (hours)"),
            max_value=720,
            initial=clock_policy.urgent_dispatch_hours,
        )
        f["review_hours"] = NumberField(
            label=_("Review time limit (hours)"), max_value=720, initial=clock_policy.review_hours
        )
        for parameter in policy.parameters:
            f[f"param_{parameter.name}"] = NumberField(
                label=parameter.label, initial=parameter.value, required=parameter.required
            )
        for index, rule in enumerate(policy.rules):
            self._rule_fields(f"r{index}_", rule)
        for index, rung in enumerate(policy.ladder):
            self._rung_fields(f"l{index}_", rung)

    def _rule_fields(self, prefix: str, rule: policies.Rule) -> None:
        f = self.fields
        if rule.reply.unit != PeriodUnit.CATALOG and not rule.reply.parameter:
            f[prefix + "reply"] = NumberField(
                label=_("Time limit for completion"), max_value=MAX_DAYS, initial=rule.reply.amount
            )
            f[prefix + "reply_unit"] = forms.ChoiceField(
                label=_("Unit"),
                initial=rule.reply.unit.value,
                choices=[
                    (u.value, policies.UNIT_LABELS[u])
                    for u in PeriodUnit
                    if u != PeriodUnit.CATALOG
                ],
            )
        f[prefix + "sign"] = NumberField(
            label=_("Acknowledgement (working days)"),
            max_value=MAX_DAYS,
            required=False,
            initial=rule.sign.amount if rule.sign else None,
        )
        f[prefix + "leads"] = forms.CharField(
            label=_("Reminders ahead (working days, comma separated)"),
            required=False,
            initial=",".join(policies.format_number(x) for x in rule.reminder_leads),
        )
        f[prefix + "return"] = NumberField(
            label=_("Return time limit (working days)"),
            max_value=MAX_DAYS,
            required=False,
            initial=rule.return_window.amount if rule.return_window else None,
        )
        f[prefix + "extension"] = forms.BooleanField(
            label=_("Extension allowed"), required=False, initial=rule.extension_allowed
        )
        f[prefix + "extension_max"] = NumberField(
            label=_("Extensions at most in total (working days)"),
            max_value=MAX_DAYS,
            required=False,
            initial=rule.extension_max.amount if rule.extension_max else None,
        )
        f[prefix + "extension_max_count"] = forms.IntegerField(
            label=_("Most extensions"),
            min_value=0,
            max_value=20,
            required=False,
            initial=rule.extension_max_count,
        )
        f[prefix + "report_any_time"] = forms.BooleanField(
            label=_("Report progress at any time"), required=False, initial=rule.report_any_time
        )
        f[prefix + "note"] = forms.CharField(
            label=_("Explanation"), required=False, max_length=300, initial=rule.note
        )

    def _rung_fields(self, prefix: str, rung: policies.Rung) -> None:
        f = self.fields
        f[prefix + "label"] = forms.CharField(label=_("Name"), max_length=100, initial=rung.label)
        f[prefix + "wait"] = NumberField(
            label=_("Wait"), max_value=MAX_DAYS, required=False, initial=rung.wait.amount or 0
        )
        f[prefix + "wait_unit"] = forms.ChoiceField(
            label=_("Unit"), choices=WAIT_UNITS, initial=rung.wait.unit.value
        )
        f[prefix + "anchor"] = forms.ChoiceField(
            label=_("Counted from"),
            choices=[
                (RungAnchor.PREVIOUS.value, _("After the previous rung")),
                (RungAnchor.DUE.value, _("After the due time")),
            ],
            initial=rung.anchor.value,
        )
        f[prefix + "to"] = forms.MultipleChoiceField(
            label=_("Notify"),
            choices=CONTACT_CHOICES,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            initial=[c.value for c in rung.to],
        )
        f[prefix + "min_reminders"] = forms.IntegerField(
            label=_("Reminders at least"),
            min_value=0,
            max_value=50,
            required=False,
            initial=rung.min_reminders,
        )
        f[prefix + "only_without_extension"] = forms.BooleanField(
            label=_("Only without an extension asked for"),
            required=False,
            initial=rung.only_without_extension,
        )

    def rule_fields(self):
        for index, rule in enumerate(self.policy.rules):
            yield (
                rule,
                applies_to(rule),
                [self[name] for name in self.fields if name.startswith(f"r{index}_")],
            )

    def rung_fields(self):
        for index, rung in enumerate(self.policy.ladder):
            yield rung, [self[name] for name in self.fields if name.startswith(f"l{index}_")]

    def clock_fields(self):
        names = (
            *("count_receipt_day", "day_start", "day_end", "cutoff"),
            *("dispatch_hours", "urgent_dispatch_hours", "review_hours"),
        )
        return [self[n] for n in names] + [self[n] for n in self.fields if n.startswith("param_")]

    def to_data(self) -> dict[str, Any]:
        data = policy_json.to_dict(self.policy)
        values = self.cleaned_data
        data["clock"].update(
            count_receipt_day=values["count_receipt_day"],
            day_start=values["day_start"].strftime("%H:%M"),
            day_end=values["day_end"].strftime("%H:%M"),
            cutoff=values["cutoff"].strftime("%H:%M") if values["cutoff"] else None,
            dispatch_hours=values["dispatch_hours"],
            urgent_dispatch_hours=values["urgent_dispatch_hours"],
            review_hours=values["review_hours"],
        )
        for parameter in data["parameters"]:
            parameter["value"] = values.get(f"param_{parameter['name']}")
        for index, rule in enumerate(data["rules"]):
            self._rule_data(f"r{index}_", rule, values)
        for index, rung in enumerate(data["ladder"]):
            prefix = f"l{index}_"
            rung["label"] = values[prefix + "label"]
            rung["wait"] = {
                "unit": values[prefix + "wait_unit"],
                "amount": values[prefix + "wait"] or 0,
            }
            rung["anchor"] = values[prefix + "anchor"]
            rung["to"] = list(values[prefix + "to"])
            rung["min_reminders"] = values[prefix + "min_reminders"] or 0
            rung["only_without_extension"] = values[prefix + "only_without_extension"]
        return data

    @staticmethod
    def _rule_data(prefix: str, rule: dict[str, Any], values: dict[str, Any]) -> None:
        if prefix + "reply" in values:
            rule["reply"] = {
                "unit": values[prefix + "reply_unit"],
                "amount": values[prefix + "reply"],
            }
        sign = values[prefix + "sign"]
        rule["sign"] = None if sign is None else {"unit": "working_days", "amount": sign}
        back = values[prefix + "return"]
        rule["return_window"] = None if back is None else {"unit": "working_days", "amount": back}
        rule["extension_allowed"] = values[prefix + "extension"]
        most = values[prefix + "extension_max"]
        rule["extension_max"] = None if most is None else {"unit": "working_days", "amount": most}
        rule["extension_max_count"] = values[prefix + "extension_max_count"]
        rule["report_any_time"] = values[prefix + "report_any_time"]
        rule["note"] = values[prefix + "note"]
        try:
            leads = [
                float(x)
                for x in values[prefix + "leads"].replace("，", ",").split(",")
                if x.strip()
            ]
        except ValueError:
            raise forms.ValidationError(
                _("The reminders ahead of “%(rule)s” should be numbers") % {"rule": rule["label"]}
            ) from None
        rule["reminder_leads"] = leads
