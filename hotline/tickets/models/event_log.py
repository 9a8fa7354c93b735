"""The append-only event log of a ticket, and what each kind of event is called."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hotline.core import clock
from hotline.tickets.models.assignment import Assignment
from hotline.tickets.models.ticket import Ticket

USER = settings.AUTH_USER_MODEL


EVENT_LABELS = {
    "received": _("Received"),
    "dispatched": _("Dispatched"),
    "signed": _("Signed"),
    "send_back_requested": _("Send-back requested"),
    "send_back_approved": _("Send-back approved"),
    "send_back_refused": _("Send-back refused"),
    "extension_requested": _("Extension requested"),
    "extension_approved": _("Extension approved"),
    "extension_refused": _("Extension refused"),
    "assist_reported": _("Co-unit reported"),
    "passed_down": _("Passed down to a sub-unit"),
    "sub_accepted": _("Sub-unit result accepted"),
    "sub_refused": _("Sub-unit result sent back"),
    "reply_submitted": _("Reply written"),
    "reply_approved": _("Reply approved by the unit leader"),
    "reply_rejected": _("Reply returned by the unit leader"),
    "reply_withdrawn": _("Reply withdrawn by the handler"),
    "completion_approved": _("Completion approved"),
    "completion_refused": _("Completion refused"),
    "visited": _("Return visit"),
    "visit_failed": _("Return visit failed"),
    "contacted": _("Citizen contacted"),
    "quality_sampled": _("Sampled for quality review"),
    "quality_reviewed": _("Quality review scored"),
    "exclusion_requested": _("Exclusion requested"),
    "exclusion_approved": _("Exclusion approved"),
    "exclusion_refused": _("Exclusion refused"),
    "carry_over_requested": _("Carry-over requested"),
    "carry_over_approved": _("Carry-over approved"),
    "carry_over_refused": _("Carry-over refused"),
    "redo": _("Redo ordered"),
    "screened": _("Ruled validly completed"),
    "merged": _("Merged"),
    "repeat_linked": _("Kept as a repeat of a closed ticket"),
    "annotated": _("Note"),
    "attached": _("File attached"),
    "reminded": _("Reminder"),
    # The escalation ladder and supervision records (hotline.supervision, R-SV-2 to R-SV-5).
    "urged": _("Urged by a hotline leader"),
    "supervision_letter": _("Supervision letter issued"),
    "efficiency_recommendation": _("Efficiency supervision recommendation issued"),
    "publicly_criticised": _("Listed for public criticism"),
    "onsite_supervision": _("On-site supervision"),
    "coordination_meeting": _("Coordination meeting"),
    "submitted_to_leader": _("Submitted to the city leaders"),
    "instructed": _("Leader's instruction"),
    "emergency_reported": _("Reported as an emergency to the leaders and the duty office"),
    "emergency_acknowledged": _("Emergency report acknowledged"),
}


class TicketEvent(models.Model):
    """Append-only: the truth for time (design rule 3). Services add one row per action."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32, db_index=True)
    at = models.DateTimeField(default=clock.now)
    actor = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    unit = models.ForeignKey(
        "directory.Unit", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assignment = models.ForeignKey(
        Assignment, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["ticket", "at"])]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    @property
    def label(self) -> str:
        return str(EVENT_LABELS.get(self.kind, self.kind))
