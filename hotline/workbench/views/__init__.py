"""The pages operators, dispatchers, units and return visitors work in all day, one module
per page (decision 0023).

Thin views (design rule 1): each page declares its buttons in a table (`buttons.Button`:
posted action → form → service → success message) and `buttons.handle_post` runs them; a
refused service call (DomainError) takes the one refusal path (`hotline.core.refusals`):
the message on the page, shown again with the user's input and status 400/403/409; a
success redirects (post/redirect/get) with a message. Every list starts from
`Ticket.objects.visible_to(user)` and is paginated on the server.
"""

from hotline.workbench.views.dispatch import dispatch
from hotline.workbench.views.followup import unit_followup
from hotline.workbench.views.inbox import inbox, reply_check
from hotline.workbench.views.intake import (
    catalog_suggestions,
    intake,
    intake_duplicates,
    intake_history,
)
from hotline.workbench.views.sheet import assignment_sheet
from hotline.workbench.views.visits import visits

__all__ = [
    "assignment_sheet",
    "catalog_suggestions",
    "dispatch",
    "inbox",
    "intake",
    "intake_duplicates",
    "intake_history",
    "reply_check",
    "unit_followup",
    "visits",
]
