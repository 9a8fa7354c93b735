from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hotline.core.forms import IdMultipleChoiceField
from hotline.directory.models import Unit, UnitKind
from hotline.supervision.models import Document, Meeting
from hotline.tickets.models import Ticket


class MeetingForm(forms.Form):
    """On-site supervision or coordination meeting (R-SV-4, R-SV-5)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Meeting.Kind.choices)
    held_at = forms.DateTimeField(
        label=_("Held at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    place = forms.CharField(label=_("Place"), max_length=200)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    units = IdMultipleChoiceField(
        label=_("Units involved"),
        queryset=Unit.objects.active().exclude(kind=UnitKind.COMMUNITY),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    tickets = forms.CharField(
        label=_("Tickets involved"),
        required=False,
        help_text=_("Ticket numbers, separated by spaces or commas."),
    )
    attendees = forms.CharField(label=_("Attendees"), widget=forms.Textarea(attrs={"rows": 2}))
    decisions = forms.CharField(label=_("Decisions"), widget=forms.Textarea(attrs={"rows": 4}))
    follow_up_due = forms.DateField(
        label=_("Follow-up due"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_tickets(self) -> list[Ticket]:
        numbers = [
            n
            for n in self.cleaned_data["tickets"].replace("，", ",").replace(",", " ").split()
            if n
        ]
        found = {
            t.number: t for t in Ticket.objects.visible_to(self.user).filter(number__in=numbers)
        }
        missing = [n for n in numbers if n not in found]
        if missing:
            raise forms.ValidationError(
                _("No such ticket: %(numbers)s") % {"numbers": "、".join(missing)}
            )
        return [found[n] for n in dict.fromkeys(numbers)]


class DocumentIssueForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=Document.Kind.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
