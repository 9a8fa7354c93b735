from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from hotline.core.forms import LimitedFileField
from hotline.sla.policies import KIND_LABELS, MODE_LABELS, URGENCY_LABELS, PeriodUnit

OVERRIDE_CHOICES = [
    ("off", _("Day off (local holiday, emergency closure)")),
    ("work", _("Extra working day")),
]


class OverrideForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("Adjustment"), choices=OVERRIDE_CHOICES)
    reason = forms.CharField(label=_("Reason"), max_length=50)


class OfficialYearForm(forms.Form):
    notice = forms.CharField(label=_("Notice"), max_length=200, required=False)
    text = forms.CharField(
        label=_("Schedule"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "class": "mono"}),
    )
    file = LimitedFileField(label=_("Or a CSV file"), required=False)

    def clean(self):
        data = super().clean() or {}
        upload = data.get("file")
        if upload:
            raw = upload.read()
            try:
                data["text"] = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                data["text"] = raw.decode("gb18030", errors="replace")
        if not (data.get("text") or "").strip():
            raise forms.ValidationError(_("Paste the schedule or choose a file."))
        return data


UNIT_CHOICES = [
    ("working_days", _("working days")),
    ("working_hours", _("working hours")),
    ("natural_hours", _("natural hours")),
]


class CalculatorForm(forms.Form):
    start = forms.DateTimeField(
        label=_("Received at"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    policy = forms.ChoiceField(label=_("Policy"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=list(KIND_LABELS.items()), required=False)
    mode = forms.ChoiceField(
        label=_("Handling mode"), choices=list(MODE_LABELS.items()), required=False
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=list(URGENCY_LABELS.items()), required=False
    )
    catalog_days = forms.FloatField(
        label=_("Catalog deadline (working days)"), required=False, min_value=0
    )
    amount = forms.FloatField(label=_("Or a number"), required=False, min_value=0, max_value=1000)
    unit = forms.ChoiceField(
        label=_("Unit"), choices=UNIT_CHOICES, required=False, initial=PeriodUnit.WORKING_DAYS.value
    )

    def __init__(self, *args, policy_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["policy"]).choices = [("", "—"), *policy_choices]

    def clean(self):
        data = super().clean() or {}
        if data.get("amount") is None and not data.get("policy"):
            raise forms.ValidationError(_("Choose a policy, or enter a number of days or hours."))
        return data
