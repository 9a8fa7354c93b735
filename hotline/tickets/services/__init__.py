"""Every write to a ticket (design rule 1), one module per stage (issue 19 item 1,
docs/decisions/0021-services-by-stage.md).

Each service: keyword-only arguments, one transaction, the ticket row locked first (a
concurrent action waits, then finds the new state and is refused cleanly), a permission
and state check, the change, and exactly one TicketEvent. Callers import the services
from here: `from hotline.tickets import services; services.ticket_create(...)`.
"""

from hotline.tickets.services.common import REVIEW_PAUSE
from hotline.tickets.services.dispatch import ticket_dispatch, ticket_merge
from hotline.tickets.services.followup import (
    carry_over_decide,
    carry_over_request,
    contact_record,
    exclusion_decide,
    exclusion_request,
    visit_fail,
)
from hotline.tickets.services.intake import ticket_create
from hotline.tickets.services.intake_bulk import BulkRejected, RowError, tickets_create_bulk
from hotline.tickets.services.records import abuse_record, attachment_add, ticket_annotate
from hotline.tickets.services.review import (
    completion_decide,
    reply_decide,
    reply_submit,
    reply_withdraw,
)
from hotline.tickets.services.submissions import submission_create, submission_instruct
from hotline.tickets.services.unit_requests import (
    extension_decide,
    extension_request,
    send_back_decide,
    send_back_request,
)
from hotline.tickets.services.unit_work import (
    assignment_pass_down,
    assignment_sign,
    assist_report,
    sub_review,
)
from hotline.tickets.services.visits import (
    ticket_redo,
    ticket_screen,
    visit_record,
    visit_round,
)

__all__ = [
    "REVIEW_PAUSE",
    "BulkRejected",
    "RowError",
    "abuse_record",
    "assignment_pass_down",
    "assignment_sign",
    "assist_report",
    "attachment_add",
    "carry_over_decide",
    "carry_over_request",
    "completion_decide",
    "contact_record",
    "exclusion_decide",
    "exclusion_request",
    "extension_decide",
    "extension_request",
    "reply_decide",
    "reply_submit",
    "reply_withdraw",
    "send_back_decide",
    "send_back_request",
    "sub_review",
    "submission_create",
    "submission_instruct",
    "ticket_annotate",
    "ticket_create",
    "ticket_dispatch",
    "ticket_merge",
    "ticket_redo",
    "ticket_screen",
    "tickets_create_bulk",
    "visit_fail",
    "visit_record",
    "visit_round",
]
