"""The crash run's back-dated work for the tick and its comparison of the database with
what the load process was told (bench/crashkit.py runs the processes and the load).

Imported with Django set up."""

from __future__ import annotations

import time
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from bench.crashkit import MARK, Cluster, Gateway, Tally

# --- back-dated work for the tick --------------------------------------------------------


def seed_backlog(*, count: int, operator: str, dispatcher: str, lead: str) -> list[int]:
    """`count` tickets created and dispatched days ago (time-machine), whose reminder has
    fallen due but whose deadline has not passed: the tick must send one reminder for each
    (a Reminder, its `reminded` event, inbox messages and the liaison's SMS). Returns the
    assignments' ids. Run it where no other thread needs the real clock."""
    import time_machine
    from django.utils import timezone

    from hotline.accounts.models import User
    from hotline.core import clock
    from hotline.directory.models import Unit
    from hotline.supervision.reminding import plan_for
    from hotline.tickets import services as s
    from hotline.tickets.models import Assignment

    operator_user = User.objects.get(username=operator)
    dispatcher_user = User.objects.get(username=dispatcher)
    unit = Unit.objects.get(code=lead)
    now = clock.now()
    today = timezone.localtime(now).replace(hour=10, minute=0, second=0, microsecond=0)

    def make(moment: datetime) -> Assignment:
        with time_machine.travel(moment, tick=False):
            ticket = s.ticket_create(
                actor=operator_user,
                phone="13900000000",
                summary="积压工单 路面坑洼",
                kind="help",
                detail="青溪路路面坑洼",
            )
            s.ticket_dispatch(actor=dispatcher_user, ticket=ticket, lead=unit)
        return Assignment.objects.select_related("ticket__policy_version", "unit").get(
            ticket=ticket, active=True
        )

    for days in (7, 8, 6, 9, 10, 5, 11, 12, 13, 14, 4):
        moment = today - timedelta(days=days)
        probe = make(moment)
        plan = plan_for(probe, now=clock.now())
        if plan.leads and probe.reply_due and probe.reply_due > clock.now() + timedelta(hours=2):
            return [probe.pk] + [make(moment).pk for _ in range(count - 1)]
    raise RuntimeError("no moment found whose reminder is due and deadline is ahead")


# --- the comparison ----------------------------------------------------------------------


def drain(cluster: Cluster, seconds: float = 180) -> bool:
    """Wait until the ticks have done every due job: no due assignment, no message
    waiting or being sent. True when done."""
    from django.db import close_old_connections

    from hotline.core import clock
    from hotline.notifications.models import Notification, State
    from hotline.supervision.sweep import WATCHED
    from hotline.tickets.models import Assignment

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        close_old_connections()
        due = Assignment.objects.filter(
            active=True, state__in=WATCHED, next_check_at__lte=clock.now()
        ).exists()
        waiting = Notification.objects.filter(state__in=[State.PENDING, State.SENDING]).exists()
        if not due and not waiting:
            return True
        time.sleep(0.5)
    return False


def compare(tally: Tally, gateway: Gateway, backlog: list[int]) -> dict[str, Any]:
    """The database against what the load was told and what the tick had to do. Every
    figure named `lost_*`, `double_*` or `*_problems` must be 0."""
    from django.db.models import Count, Q

    from hotline.notifications.models import Notification, NotificationChannel, State
    from hotline.supervision.models import Reminder
    from hotline.tickets.models import Assignment, Ticket, TicketEvent

    rows = list(
        Ticket.objects.filter(summary__contains=MARK)
        .annotate(
            received=Count("events", filter=Q(events__kind="received"), distinct=True),
            dispatched=Count("events", filter=Q(events__kind="dispatched"), distinct=True),
            leads=Count(
                "assignments",
                filter=Q(assignments__role=Assignment.Role.LEAD),
                distinct=True,
            ),
        )
        .values_list("summary", "number", "received", "dispatched", "leads")
    )
    found = Counter(summary.split(MARK, 1)[1].split()[0] for summary, *_ in rows)
    markers = {MARK + m for m in found}
    by_number = {
        number: (received, dispatched, leads) for _, number, received, dispatched, leads in rows
    }
    sent = set(tally.created_ok) | tally.created_unknown
    event_problems = sum(
        1
        for received, dispatched, leads in by_number.values()
        if received != 1 or dispatched > 1 or leads != dispatched
    )
    figures: dict[str, Any] = {
        "requests_sent": tally.sent,
        "requests_2xx": tally.answered_2xx,
        "refused_while_down": tally.refused,
        "creates_2xx": len(tally.created_ok),
        "creates_unknown": len(tally.created_unknown),
        "creates_unknown_committed": len(tally.created_unknown & markers),
        "creates_failed": len(tally.created_failed),
        "tickets_in_db": len(rows),
        "lost_tickets": len(set(tally.created_ok) - markers),
        "double_tickets": sum(1 for n in found.values() if n > 1),
        "unexpected_tickets": len(markers - sent),
        "failed_but_stored": len(set(tally.created_failed) & markers),
        "dispatches_2xx": len(tally.dispatched_ok),
        "dispatch_failed": len(tally.dispatch_failed),
        "lost_dispatches": sum(
            1 for number in tally.dispatched_ok if by_number.get(number, (0, 0, 0))[1] != 1
        ),
        "event_problems": event_problems,
    }
    # The tick's work: one reminder per back-dated assignment, with its event and messages.
    reminders = list(
        Reminder.objects.filter(assignment_id__in=backlog, kind=Reminder.Kind.AUTO).values_list(
            "pk", "assignment_id"
        )
    )
    per_assignment = Counter(a for _, a in reminders)
    events = Counter(
        TicketEvent.objects.filter(kind="reminded", assignment_id__in=backlog).values_list(
            "assignment_id", flat=True
        )
    )
    figures["reminders_expected"] = len(backlog)
    figures["reminders"] = len(reminders)
    figures["lost_reminders"] = sum(1 for a in backlog if per_assignment[a] == 0)
    figures["double_reminders"] = sum(1 for n in per_assignment.values() if n > 1)
    figures["reminder_event_problems"] = sum(1 for a in backlog if events[a] != per_assignment[a])
    keys = Counter(
        Notification.objects.filter(key__startswith="reminder:").values_list("key", "channel")
    )
    liaison = {
        int(key.split(":")[1]) for key, channel in keys if channel == NotificationChannel.SMS
    }
    figures["reminder_messages"] = sum(keys.values())
    figures["double_messages"] = sum(1 for n in keys.values() if n > 1)
    figures["lost_messages"] = sum(1 for pk, _ in reminders if pk not in liaison)
    # Deliveries: every SMS sent, each reached the gateway; re-sends carry the same key.
    sms = Notification.objects.filter(channel=NotificationChannel.SMS)
    figures["sms"] = sms.count()
    figures["sms_not_sent"] = sms.exclude(state=State.SENT).count()
    sent_keys = {
        f"notification-{pk}" for pk in sms.filter(state=State.SENT).values_list("pk", flat=True)
    }
    figures["lost_deliveries"] = len(sent_keys - set(gateway.received))
    figures["unexpected_deliveries"] = len(set(gateway.received) - sent_keys)
    figures["gateway_repeats_same_key"] = sum(n - 1 for n in gateway.received.values())
    return figures


PROBLEMS = (
    "creates_failed",
    "dispatch_failed",
    "lost_tickets",
    "double_tickets",
    "unexpected_tickets",
    "failed_but_stored",
    "lost_dispatches",
    "event_problems",
    "lost_reminders",
    "double_reminders",
    "reminder_event_problems",
    "double_messages",
    "lost_messages",
    "sms_not_sent",
    "lost_deliveries",
    "unexpected_deliveries",
)


def problems(figures: dict[str, Any]) -> dict[str, Any]:
    return {name: figures[name] for name in PROBLEMS if figures[name]}
