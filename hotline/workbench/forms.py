"""Forms for the workbench pages. They check the shape of the input; the services decide
the rules and give the messages (design rule 1)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hotline.accounts.models import User
from hotline.core.forms import IdChoiceField, IdMultipleChoiceField
from hotline.directory.models import Topic, Unit, UnitKind
from hotline.tickets.deadlines import MAX_EXTENSION_DAYS
from hotline.tickets.models import (
    KIND_CHOICES,
    MODE_CHOICES,
    URGENCY_CHOICES,
    DeclineReason,
    IntakeOutcome,
    Reply,
    TicketChannel,
    Visit,
)


def receiving_units():
    """Units that can receive tickets: not the government itself nor the hotline."""
    return (
        Unit.objects.active()
        .exclude(kind__in=[UnitKind.GOVERNMENT, UnitKind.CENTER])
        .order_by("sort_order", "code")
    )


class UnitChoiceField(IdChoiceField):
    def label_from_instance(self, obj) -> str:
        if not obj.may_lead:
            return f"{obj.name}（{_('Assist only')}）"
        return str(obj.name)


class UnitMultipleChoiceField(IdMultipleChoiceField):
    label_from_instance = UnitChoiceField.label_from_instance


class HandlerChoiceField(IdChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.get_full_name() or obj.username} · {obj.get_role_display()}"


def textarea(rows: int = 3, **attrs) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, **attrs})


class IntakeForm(forms.Form):
    """One call, in the order the operator hears it (R-IN, R-HM-1 to R-HM-5)."""

    phone = forms.CharField(
        label=_("Caller's phone"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "inputmode": "tel", "autofocus": True, "data-alt": "p"}
        ),
    )
    name = forms.CharField(label=_("Name or form of address"), max_length=50, required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=TicketChannel.choices, initial="phone")
    kind = forms.ChoiceField(
        label=_("Kind"), choices=KIND_CHOICES, initial="help", widget=forms.RadioSelect
    )
    summary = forms.CharField(label=_("Summary"), max_length=200)
    detail = forms.CharField(label=_("Detail"), required=False, widget=textarea(3))
    address = forms.CharField(label=_("Place"), max_length=200, required=False)
    topic = forms.ModelChoiceField(
        label=_("Topic"), queryset=Topic.objects.none(), required=False, empty_label="—"
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=URGENCY_CHOICES, initial="normal", widget=forms.RadioSelect
    )
    confidential = forms.BooleanField(label=_("Caller asks for confidentiality"), required=False)
    handling = forms.ChoiceField(
        label=_("Outcome"),
        choices=IntakeOutcome.choices,
        initial=IntakeOutcome.DISPATCH,
        widget=forms.RadioSelect(attrs={"data-alt": "o"}),
    )
    answer = forms.CharField(
        label=_("Answer or guidance given"), required=False, widget=textarea(3)
    )
    forward_to = UnitChoiceField(
        label=_("Forward to"), queryset=Unit.objects.none(), required=False
    )
    decline_reason = forms.ChoiceField(
        label=_("Reason not accepted"),
        choices=[("", "—"), *DeclineReason.choices],
        required=False,
    )
    related_to = forms.CharField(
        label=_("Earlier ticket number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "mono"}),
    )

    # The knowledge entry version whose answer was taken (R-HM-1); set by the panel.
    knowledge_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["forward_to"].queryset = receiving_units()  # type: ignore[attr-defined]
        topics = Topic.objects.active().with_path().order_by("sort_order", "code")
        self.fields["topic"].queryset = topics  # type: ignore[attr-defined]
        self.fields["topic"].label_from_instance = lambda t: t.path  # type: ignore[attr-defined]

    def clean(self):
        """The topic (诉求分类) is required for every ticket the centre accepts (R-IN-3);
        a call not accepted needs none, nor does a city without a topic tree."""
        data = super().clean() or {}
        if (
            data.get("handling") not in (None, IntakeOutcome.DECLINE)
            and not data.get("topic")
            and self.fields["topic"].queryset.exists()  # type: ignore[attr-defined]
        ):
            self.add_error("topic", _("Choose the topic of the request."))
        return data


class DispatchForm(forms.Form):
    """Lead, co-units, mode and deadline (R-HM-4 to R-HM-7, R-HM-10)."""

    lead = UnitChoiceField(label=_("Lead unit"), queryset=Unit.objects.none())
    assists = UnitMultipleChoiceField(
        label=_("Co-units"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    mode = forms.ChoiceField(
        label=_("Mode"), choices=MODE_CHOICES, initial="written", widget=forms.RadioSelect
    )
    instruction = forms.CharField(
        label=_("Leader's instruction"), required=False, widget=textarea(2)
    )
    instruction_days = forms.IntegerField(
        label=_("Instruction deadline (working days)"), required=False, min_value=1
    )
    catalog_days = forms.IntegerField(
        label=_("Catalog deadline (working days)"), required=False, min_value=1
    )
    coordinated = forms.BooleanField(
        label=_("Named by coordination (may not be sent back)"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        units = receiving_units()
        self.fields["lead"].queryset = units.exclude(kind=UnitKind.COMMUNITY)  # type: ignore[attr-defined]
        self.fields["assists"].queryset = units  # type: ignore[attr-defined]


class NoteForm(forms.Form):
    """Approve or refuse with a note (send-back review, completion review)."""

    note = forms.CharField(label=_("Reason or note"), required=False, widget=textarea(2))


class ExtensionDecisionForm(forms.Form):
    days = forms.IntegerField(
        label=_("Days granted"), required=False, min_value=1, max_value=MAX_EXTENSION_DAYS
    )
    note = forms.CharField(label=_("Reason or note"), required=False, widget=textarea(2))


class MergeForm(forms.Form):
    into = forms.CharField(
        label=_("Merge into ticket number"),
        max_length=20,
        widget=forms.TextInput(attrs={"class": "mono", "autocomplete": "off"}),
    )
    reason = forms.CharField(label=_("Reason"), required=False)


class SignForm(forms.Form):
    handler = HandlerChoiceField(
        label=_("Handler"), queryset=User.objects.none(), required=False, empty_label=None
    )

    def __init__(self, *args, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            unit=unit, is_active=True
        ).order_by("role", "username")


class PassDownForm(forms.Form):
    unit = UnitChoiceField(label=_("Sub-unit"), queryset=Unit.objects.none())
    note = forms.CharField(label=_("Note"), required=False)

    def __init__(self, *args, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.active().filter(parent=unit)  # type: ignore[attr-defined]


class SendBackForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, widget=textarea(2))
    legal_basis = forms.CharField(label=_("Legal basis"), required=False, widget=textarea(2))
    suggested_unit = UnitChoiceField(
        label=_("Suggested unit"), queryset=Unit.objects.none(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["suggested_unit"].queryset = receiving_units()  # type: ignore[attr-defined]


class ExtensionForm(forms.Form):
    days = forms.IntegerField(
        label=_("Extra working days"), initial=3, min_value=1, max_value=MAX_EXTENSION_DAYS
    )
    reason = forms.CharField(label=_("Reason"), required=False, widget=textarea(2))


class AssistForm(forms.Form):
    text = forms.CharField(label=_("Our part of the work"), required=False, widget=textarea(3))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; the service checks each (tickets.attachments)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Reply to the citizen"),
        required=False,
        widget=textarea(5, **{"data-reply-text": ""}),
    )
    points = forms.CharField(
        label=_("Points answered (one per line)"), required=False, widget=textarea(3)
    )
    result = forms.ChoiceField(
        label=_("Handling result"), choices=Reply.Result.choices, widget=forms.RadioSelect
    )
    result_reason = forms.CharField(
        label=_("Why not (fully) resolved"), required=False, widget=textarea(2)
    )
    citizen_view = forms.CharField(
        label=_("Citizen's satisfaction, or why none"), required=False, widget=textarea(2)
    )
    attachments = MultipleFileField(label=_("Site photos or papers"), required=False)

    def clean_points(self) -> list[str]:
        """The points answered, one per line, blank lines dropped."""
        return [p.strip() for p in self.cleaned_data["points"].splitlines() if p.strip()]


class SubReviewForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False)


RESOLVED_CHOICES = [("1", _("Yes, resolved")), ("0", _("Not resolved"))]


class VisitForm(forms.Form):
    """Return visit (R-FB-2)."""

    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=Visit.Channel.choices,
        initial=Visit.Channel.PHONE,
        widget=forms.RadioSelect,
    )
    satisfaction = forms.ChoiceField(
        label=_("Satisfaction"),
        choices=Visit.Satisfaction.choices,
        widget=forms.RadioSelect(attrs={"data-alt": "m"}),
    )
    resolved = forms.ChoiceField(
        label=_("Resolved"), choices=RESOLVED_CHOICES, initial="1", widget=forms.RadioSelect
    )
    # R-AS-3: the handling unit and the hotline's operator, scored apart from the result.
    unit_satisfaction = forms.ChoiceField(
        label=_("Satisfaction with the unit"),
        choices=Visit.Satisfaction.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    operator_satisfaction = forms.ChoiceField(
        label=_("Satisfaction with the operator"),
        choices=Visit.Satisfaction.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), required=False, widget=textarea(2))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, widget=textarea(2))
