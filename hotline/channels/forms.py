"""Forms of the online queue and the channel settings: shape only; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from hotline.channels.models import MessageSecurity
from hotline.tickets.models import KIND_CHOICES, URGENCY_CHOICES, DeclineReason


class AcceptForm(forms.Form):
    """Accept as is (the request's words prefilled) or edited."""

    kind = forms.ChoiceField(label=_("Kind"), choices=KIND_CHOICES)
    summary = forms.CharField(label=_("Summary"), max_length=200)
    detail = forms.CharField(label=_("Detail"), widget=forms.Textarea(attrs={"rows": 6}))
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    name = forms.CharField(label=_("Citizen's name"), max_length=50, required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=32,
        required=False,
        help_text=_("Needed when the request has no phone and no short e-mail address"),
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=URGENCY_CHOICES)
    confidential = forms.BooleanField(label=_("Confidential"), required=False)


class MergeForm(forms.Form):
    into = forms.CharField(label=_("Earlier ticket number"), max_length=20)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class DeclineForm(forms.Form):
    code = forms.ChoiceField(
        label=_("Kind of reason"),
        choices=[("", _("Other (the reason below only)")), *DeclineReason.choices],
        required=False,
    )
    reason = forms.CharField(
        label=_("Reason the citizen is told"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ChannelForm(forms.Form):
    open = forms.BooleanField(label=_("Taking requests"), required=False)
    closed_message = forms.CharField(label=_("Message when closed"), max_length=200, required=False)
    # WeChat only (消息加解密); an empty key keeps the stored one.
    message_security = forms.ChoiceField(
        label=_("Message security"), choices=MessageSecurity.choices, required=False
    )
    aes_key = forms.CharField(label=_("EncodingAESKey"), max_length=43, required=False)
