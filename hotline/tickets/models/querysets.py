"""`visible_to(user)` on a ticket and on the rows that belong to it (design rule 5,
issue 14 item 9), each by the one rule `assignment.sees_ticket`.

Here and not beside the models: the rule is written on Assignment, whose module the
ticket's module would otherwise have to import (Assignment refers to Ticket)."""

from __future__ import annotations

from django.db import models

from hotline.tickets.models.assignment import scoped_to_tickets


class TicketQuerySet(models.QuerySet):
    def visible_to(self, user) -> TicketQuerySet:
        """The tickets `user` sees (`assignment.sees_ticket`)."""
        return scoped_to_tickets(self, user, "pk")


class TicketPartQuerySet(models.QuerySet):
    """Rows that belong to a ticket: visible with their own ticket, checked on that ticket
    (`ticket_path`) row by row. A page about one ticket that filters by it reads that
    ticket's rows and checks only them; who sees every ticket pays no sub-query."""

    ticket_path = "ticket"

    def visible_to(self, user):
        return scoped_to_tickets(self, user, self.ticket_path)


class AssignmentPartQuerySet(TicketPartQuerySet):
    """Rows of one unit's part (replies, requests, contacts with the citizen)."""

    ticket_path = "assignment__ticket"
