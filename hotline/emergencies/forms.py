"""Forms of the emergency pages; the services decide the rules and give the messages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hotline.emergencies.models import EmergencyReport, Service
from hotline.tickets.models import KIND_CHOICES, TicketChannel


class TransferForm(forms.Form):
    """The intake form's caller and request fields, posted by the banner's button."""

    service = forms.ChoiceField(choices=Service.choices)
    phone = forms.CharField(max_length=32)
    name = forms.CharField(max_length=50, required=False)
    channel = forms.ChoiceField(choices=TicketChannel.choices, required=False)
    kind = forms.ChoiceField(choices=KIND_CHOICES, required=False)
    summary = forms.CharField(max_length=200)
    detail = forms.CharField(required=False)
    address = forms.CharField(max_length=200, required=False)

    def call(self) -> dict:
        data = self.cleaned_data
        return {
            "phone": data["phone"],
            "name": data["name"],
            "channel": data["channel"] or TicketChannel.PHONE,
            "kind": data["kind"] or "help",
            "summary": data["summary"],
            "detail": data["detail"],
            "address": data["address"],
        }


class ReportForm(forms.Form):
    """A risk event reported by hand (R-DA-5): a mass incident, a hazard, a sudden event."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[c for c in EmergencyReport.Kind.choices if c[0] != "emergency"],
    )
    summary = forms.CharField(label=_("What happened, where"), max_length=200)
    ticket = forms.CharField(label=_("Ticket number (optional)"), max_length=20, required=False)
