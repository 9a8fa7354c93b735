"""The tickets' fixed lists: channels, kinds, modes, urgency, intake handling, the
reasons a request is not accepted with what the caller is told, and warning levels."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.sla.policies import Kind, Mode, Urgency

KIND_CHOICES = [
    (Kind.CONSULT.value, _("Consultation")),
    (Kind.HELP.value, _("Help")),
    (Kind.COMPLAINT.value, _("Complaint")),
    (Kind.REPORT.value, _("Report")),
    (Kind.SUGGEST.value, _("Suggestion")),
]
MODE_CHOICES = [
    (Mode.PHONE.value, _("Phone assignment")),
    (Mode.WRITTEN.value, _("Written assignment")),
    (Mode.INSTRUCTION.value, _("Leader instruction")),
]
URGENCY_CHOICES = [(Urgency.NORMAL.value, _("Normal")), (Urgency.URGENT.value, _("Urgent"))]


class TicketChannel(models.TextChoices):
    PHONE = "phone", _("Phone 12345")
    MAILBOX = "mailbox", _("Mayor's mailbox")
    WEB = "web", _("Web portal")
    WECHAT = "wechat", _("WeChat")
    APP = "app", _("Mobile app")
    FAX = "fax", _("Fax")
    VOICEMAIL = "voicemail", _("Voice mailbox")
    SMS = "sms", _("SMS")
    TRANSFER = "transfer", _("Transferred from another hotline")


class IntakeOutcome(models.TextChoices):
    """What the operator did with the request at intake (R-HM-1 to R-HM-5)."""

    ANSWER_NOW = "answer_now", _("Answered now")
    GUIDE = "guide", _("Guided to the responsible unit")
    FORWARD = "forward", _("Forwarded for information")
    DECLINE = "decline", _("Not accepted")
    DISPATCH = "dispatch", _("To be dispatched")


class DeclineReason(models.TextChoices):
    """Out of scope, each with its own guidance (R-IN-4, ZS 13, LX 三, KM 6, ZS 24)."""

    EMERGENCY = "emergency", _("Emergency: 110 / 119 / 120 / 122")
    LEGAL_PROCEDURE = "legal_procedure", _("In or due for a legal procedure")
    PETITION = "petition", _("Already handled by the petitions bureau")
    REPEAT = "repeat", _("Repeat of a matter in progress or completed")
    ILLEGAL = "illegal", _("Illegal or against public order")
    OTHER_ORGAN = "other_organ", _("Party, congress, CPPCC, armed forces, court, procuratorate")
    OTHER_CITY = "other_city", _("Outside this city")


# What the operator tells the caller for each reason (R-IN-4; ZS 13, 24; LX 三; KM 6).
DECLINE_GUIDANCE: dict[str, str] = {
    DeclineReason.EMERGENCY: (
        "紧急情况请立即拨打 110（治安）、119（火警）、120（急救）、"
        "122（交通事故），或由话务员直接转接。"
    ),
    DeclineReason.LEGAL_PROCEDURE: (
        "该事项已进入或应当通过诉讼、仲裁、纪检监察、行政复议、信访、"
        "政府信息公开等法定途径解决，请向相应机关提出。"
    ),
    DeclineReason.PETITION: (
        "信访部门已处理或正在处理该事项，热线不重复受理，请向信访部门了解进展。"
    ),
    DeclineReason.REPEAT: (
        "该诉求与在办或已办结的工单事实、理由相同，已告知原工单的办理进度或结果。"
    ),
    DeclineReason.ILLEGAL: "该诉求违反法律法规或公序良俗，已劝阻并告知可能承担的法律后果。",
    DeclineReason.OTHER_ORGAN: (
        "该事项属党委、人大、政协、人武部、法院、检察院职责范围，已告知向相关机关反映或转送。"
    ),
    DeclineReason.OTHER_CITY: "该事项不属于本市管辖，已告知或转至省内相应城市的 12345 热线。",
}


class WarningLevel(models.TextChoices):  # 预警
    NORMAL = "normal", _("Normal")
    YELLOW = "yellow", _("Due soon")
    RED = "red", _("Overdue")


class AssignmentRole(models.TextChoices):
    """An assignment's role: the lead unit, a co-unit assisting it, or a sub-unit the lead
    passed the work down to."""

    LEAD = "lead", _("Lead")
    ASSIST = "assist", _("Assist")
    SUB = "sub", _("Sub-assignment")
