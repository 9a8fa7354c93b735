"""Tickets, the people who ask, each unit's part, and the append-only event log.

One module per kind of row; every model and public name is importable from here.
"""

from hotline.tickets.models.assignment import (
    INBOX_INDEXES,
    Assignment,
    AssignmentPause,
    AssignmentQuerySet,
    sees_ticket,
)
from hotline.tickets.models.choices import (
    DECLINE_GUIDANCE,
    KIND_CHOICES,
    MODE_CHOICES,
    URGENCY_CHOICES,
    DeclineReason,
    IntakeOutcome,
    TicketChannel,
    WarningLevel,
)
from hotline.tickets.models.citizens import AbuseRecord, Citizen
from hotline.tickets.models.event_log import EVENT_LABELS, TicketEvent
from hotline.tickets.models.querysets import (
    AssignmentPartQuerySet,
    TicketPartQuerySet,
    TicketQuerySet,
)
from hotline.tickets.models.records import (
    Attachment,
    Submission,
    SubmissionCounter,
    Visit,
    attachment_path,
)
from hotline.tickets.models.ticket import NO_VISIT_DUE, Ticket, TicketCounter
from hotline.tickets.models.unit_work import Contact, Reply, UnitRequest, UnitRequestQuerySet

__all__ = [
    "DECLINE_GUIDANCE",
    "EVENT_LABELS",
    "INBOX_INDEXES",
    "KIND_CHOICES",
    "MODE_CHOICES",
    "NO_VISIT_DUE",
    "URGENCY_CHOICES",
    "AbuseRecord",
    "Assignment",
    "AssignmentPartQuerySet",
    "AssignmentPause",
    "AssignmentQuerySet",
    "Attachment",
    "Citizen",
    "Contact",
    "DeclineReason",
    "IntakeOutcome",
    "Reply",
    "Submission",
    "SubmissionCounter",
    "Ticket",
    "TicketChannel",
    "TicketCounter",
    "TicketEvent",
    "TicketPartQuerySet",
    "TicketQuerySet",
    "UnitRequest",
    "UnitRequestQuerySet",
    "Visit",
    "WarningLevel",
    "attachment_path",
    "sees_ticket",
]
