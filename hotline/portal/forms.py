"""The portal's forms; every text passes the channels' checks (length, type, NUL, lone
surrogates) in the services, the forms only shape the page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from hotline.channels import text
from hotline.channels.models import ReplyChannel
from hotline.core.errors import DomainError
from hotline.portal.captchas import Captcha
from hotline.tickets.models import KIND_CHOICES, Visit

KINDS = list(KIND_CHOICES)


class Text(forms.CharField):
    """A text field checked like every public channel's text (length, NUL, lone
    surrogates), with the same Chinese message naming the field."""

    def to_python(self, value):
        value = super().to_python(value)
        if "\ufffd" in value:  # bytes that were not UTF-8 (a lone surrogate sent as bytes)
            raise forms.ValidationError(
                _g("%(label)s has invalid characters (control characters or a bad encoding)")
                % {"label": self.label}
            )
        try:
            return text.clean(value, label=str(self.label), max_length=self.max_length or 20000)
        except DomainError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None


VISIT_CHOICES = [
    (ReplyChannel.SMS.value, _("Text me back")),
    (ReplyChannel.WEB.value, _("Rate online")),
    (ReplyChannel.PHONE.value, _("Call me back")),
]


class PhoneForm(forms.Form):
    phone = Text(label=_("Mobile phone"), max_length=32)
    captcha = Captcha(label=_("Picture code"))


class CodeForm(forms.Form):
    code = forms.CharField(label=_("SMS code"), max_length=6)


class SubmitForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of request"), choices=KINDS)
    subject = Text(label=_("Title"), max_length=200)
    body = Text(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 6}))
    place = Text(label=_("Where"), max_length=200, required=False)
    name = Text(label=_("Your name"), max_length=50, required=False)
    confidential = forms.BooleanField(
        label=_("Keep my name and phone confidential"), required=False
    )
    reply_channel = forms.ChoiceField(
        label=_("How to hear back"), choices=VISIT_CHOICES, widget=forms.RadioSelect, initial="sms"
    )
    captcha = Captcha(label=_("Picture code"))


class TrackForm(forms.Form):
    number = Text(label=_("Ticket or request number"), max_length=32)
    phone = Text(label=_("The mobile phone you gave"), max_length=32, required=False)


class RateForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("Are you satisfied with the result?"),
        choices=Visit.Satisfaction.choices,
        widget=forms.RadioSelect,
    )
    unit_satisfaction = forms.ChoiceField(
        label=_("Are you satisfied with the unit in charge?"),
        choices=Visit.Satisfaction.choices,
        widget=forms.RadioSelect,
    )
    operator_satisfaction = forms.ChoiceField(
        label=_("Are you satisfied with the hotline's service?"),
        choices=Visit.Satisfaction.choices,
        widget=forms.RadioSelect,
    )
    resolved = forms.TypedChoiceField(
        label=_("Is the problem solved?"),
        choices=[("1", _("Solved")), ("0", _("Not solved"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Anything else (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
