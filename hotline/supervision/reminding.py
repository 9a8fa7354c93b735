"""What a look at one assignment decides, and the reminders it sends (R-SV-1, KJ 二(一)).

`plan_for` gives the reminder leads that have fallen due, the warning and the next check;
`reminder_messages` the inbox and SMS messages of one reminder. The sweep
(`hotline.supervision.sweep`) uses both, for one assignment or a whole batch.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time
from typing import Any, NamedTuple

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hotline.accounts.models import User
from hotline.core import clock
from hotline.notifications.models import NotificationChannel
from hotline.notifications.services import notify_many
from hotline.sla import wording
from hotline.sla.calendar import WorkCalendar
from hotline.sla.policies import Policy
from hotline.supervision.models import Reminder
from hotline.tickets import deadlines
from hotline.tickets.models import Assignment, WarningLevel

WATCHED = (Assignment.State.DISPATCHED, Assignment.State.HANDLING)


class Plan(NamedTuple):
    """What a look at one assignment that is not overdue decides: the reminder leads that
    have fallen due, the warning and the next moment to look again."""

    leads: list  # reminder leads (working days before due) whose moment has come
    warning: str
    next_check_at: datetime | None


def decide(
    result: deadlines.ReplyDeadline, policy: Policy, due: datetime | None, now: datetime
) -> Plan:
    """The plan from the reminder days: reminders go out when the working day starts."""
    start = policy.clock.day_start or time(8, 30)
    leads, upcoming = [], []
    for lead, day in zip(result.rule.reminder_leads, result.reminders, strict=True):
        moment = timezone.make_aware(datetime.combine(day, start))
        if moment > now:
            upcoming.append(moment)
        else:
            leads.append(lead)
    warning = WarningLevel.YELLOW if leads else WarningLevel.NORMAL
    return Plan(leads, warning, min([*upcoming, due]) if due else None)


def plan_for(
    assignment: Assignment, *, now: datetime, calendar: WorkCalendar | None = None
) -> Plan:
    """The reminders due, the warning and the next check of an assignment."""
    ticket = assignment.ticket
    result = deadlines.reply_deadline_and_reminders(ticket, assignment, calendar)
    return decide(result, ticket.policy_version.as_policy(), assignment.reply_due, now)


def reminder_text(assignment: Assignment) -> str:
    ticket = assignment.ticket
    return reminder_body(ticket.number, ticket.summary, assignment.reply_due)


def reminder_body(number: str, summary: str, reply_due: datetime | None) -> str:
    """The reminder, in the tense of the deadline (sla.wording): a passed deadline asks
    for the reply at once. In the site language: the sweep sends it by SMS too."""
    with translation.override(settings.LANGUAGE_CODE):
        if reply_due is None:
            return _(
                "Ticket %(number)s “%(summary)s”: please handle it promptly and reply on time."
            ) % {"number": number, "summary": summary}
        now = timezone.localtime(clock.now())
        due = timezone.localtime(reply_due)
        ask = (
            _("please handle it promptly and reply on time.")
            if due > now
            else _("please handle it and reply at once.")
        )
        return _("Ticket %(number)s “%(summary)s” %(due)s, %(ask)s") % {
            "number": number,
            "summary": summary,
            "due": wording.reminder_due_text(due, now),
            "ask": ask,
        }


def reminder_messages(
    *,
    reminder_id: int,
    text: str,
    ticket_id: int,
    members: Iterable[int],
    phone: str,
    digest: bool = False,
) -> list[dict[str, Any]]:
    """The messages of one reminder (for notify_many): every active member of the unit
    (`members`: their ids) in the inbox, and the unit's liaison phone by SMS. The keys
    make each one once only. `digest`: a routine reminder, which a member who chose the
    daily digest gets in it (issue 15 item 15); an urgent ticket's never is."""
    key = f"reminder:{reminder_id}"
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Reminder")
    messages: list[dict[str, Any]] = [
        {
            "channel": NotificationChannel.INBOX,
            "recipient_id": user,
            "subject": subject,
            "body": text,
            "ticket_id": ticket_id,
            "key": f"{key}:{user}",
            "digest": digest,
        }
        for user in members
    ]
    if phone:
        messages.append(
            {
                "channel": NotificationChannel.SMS,
                "address": phone,
                "subject": subject,
                "body": text,
                "ticket_id": ticket_id,
                "key": f"{key}:liaison",
            }
        )
    return messages


def tell_unit(
    assignment: Assignment, reminder: Reminder, text: str, *, digest: bool = False
) -> None:
    members = User.objects.unit_staff(assignment.unit_id)
    notify_many(
        reminder_messages(
            reminder_id=reminder.pk,
            text=text,
            ticket_id=assignment.ticket_id,
            members=members.order_by("pk").values_list("pk", flat=True),
            phone=assignment.unit.liaison_phone,
            digest=digest,
        )
    )
