"""The portal's forms; every text passes the channels' checks (length, type, NUL, lone
surrogates) in the services, the forms only shape the page."""

from __future__ import annotations

from captcha.fields import CaptchaField
from django import forms

from hotline.channels import text
from hotline.channels.models import ReplyChannel
from hotline.core.errors import DomainError
from hotline.tickets.models import KIND_CHOICES, Visit

KINDS = list(KIND_CHOICES)


class Text(forms.CharField):
    """A text field checked like every public channel's text (length, NUL, lone
    surrogates), with the same Chinese message naming the field."""

    def to_python(self, value):
        value = super().to_python(value)
        if "\ufffd" in value:  # bytes that were not UTF-8 (a lone surrogate sent as bytes)
            raise forms.ValidationError(f"{self.label}含有无效字符（控制字符或无效编码）")
        try:
            return text.clean(value, label=str(self.label), max_length=self.max_length or 20000)
        except DomainError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None


VISIT_CHOICES = [
    (ReplyChannel.SMS.value, "短信回访"),
    (ReplyChannel.WEB.value, "网上评价"),
    (ReplyChannel.PHONE.value, "电话回访"),
]


class PhoneForm(forms.Form):
    phone = Text(label="手机号码", max_length=32)
    captcha = CaptchaField(label="图形验证码")


class CodeForm(forms.Form):
    code = forms.CharField(label="短信验证码", max_length=6)


class SubmitForm(forms.Form):
    kind = forms.ChoiceField(label="诉求类型", choices=KINDS)
    subject = Text(label="标题", max_length=200)
    body = Text(label="反映内容", widget=forms.Textarea(attrs={"rows": 6}))
    place = Text(label="发生地点", max_length=200, required=False)
    name = Text(label="姓名", max_length=50, required=False)
    confidential = forms.BooleanField(label="要求保密", required=False)
    reply_channel = forms.ChoiceField(
        label="回访方式", choices=VISIT_CHOICES, widget=forms.RadioSelect, initial="sms"
    )
    captcha = CaptchaField(label="图形验证码")


class TrackForm(forms.Form):
    number = Text(label="工单编号或受理编号", max_length=32)
    phone = Text(label="反映时留下的手机号码", max_length=32, required=False)


class RateForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label="您对办理结果是否满意", choices=Visit.Satisfaction.choices, widget=forms.RadioSelect
    )
    unit_satisfaction = forms.ChoiceField(
        label="您对承办单位是否满意", choices=Visit.Satisfaction.choices, widget=forms.RadioSelect
    )
    operator_satisfaction = forms.ChoiceField(
        label="您对热线受理是否满意", choices=Visit.Satisfaction.choices, widget=forms.RadioSelect
    )
    resolved = forms.TypedChoiceField(
        label="问题是否已解决",
        choices=[("1", "已解决"), ("0", "未解决")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="其他意见（可不填）",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
