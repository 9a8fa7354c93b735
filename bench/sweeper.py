"""Benchmark of the reminder sweeper on a million open tickets (issue 7).

Run from the repository root::

    .venv/bin/python bench/sweeper.py [--tickets 1000000] [--keep] [--profile 1000]

It needs PostgreSQL (the sweeper claims rows with SELECT … FOR UPDATE SKIP LOCKED): the
database named in DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/hotline_bench_sweeper) is created, migrated and filled,
and dropped at the end unless `--keep` is given; with `--keep` a later run reuses the loaded
database (put back as it was before the sweep) instead of loading it again.

The fill: the demo city (hotline.site.demo.build_demo_city, default policy KJ), then
`--tickets` open tickets (dispatched or handling), each with its lead assignment and one
in ten with an assisting unit, written by INSERT … SELECT generate_series from a table of
deadlines that the real deadline code (hotline.sla.compute) worked out for dispatch
moments every 20 minutes over the last three weeks. The clock is frozen at 08:30:30 of
the latest working day, half a minute after today's reminders fell due: 1% of the tickets
(exactly) have their reminder today and are due now (next_check_at = today 08:30, what
the sweeper itself would have stored); the others wait for a later reminder (next_check_at
in the coming days), were reminded on an earlier day (Reminder, notifications and a
`reminded` event exist; next_check_at = reply_due) or are overdue (red, nothing to check).

Then, with the same data, it times
  * naive: what many helpdesks do: read every open assignment through the ORM and test
    its deadline in Python (calendar, rules and the reminders already sent loaded once);
  * due sweep: one hotline.supervision.sweep.sweep() with a limit above the number
    due, so it claims and checks batches until nothing is due (sends the reminders:
    Reminder rows, inbox and SMS notifications, `reminded` events, new next_check_at);
  * empty sweep: sweep() again right after (nothing due), then its median over 20 runs;
and checks that the naive scan and the sweep found the same assignments, that the sweep
wrote what it should and that nothing is due afterwards. `--profile N` puts the data back
and runs sweep(limit=N) under cProfile, with the SQL it sends and the claim query's plan.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.pages import HEAVY, _postgres, _postgres_admin

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/hotline_bench_sweeper"
DUE_SHARE = 0.01
DUE_GOAL_S = 2.0
EMPTY_GOAL_MS = 50.0
EMPTY_REPEAT = 20
STEP = timedelta(minutes=20)  # dispatch moments in the deadline table
SPAN = timedelta(days=21)  # how far back open work was dispatched
# Shares of the tickets that are not due now: waiting for their reminder, reminded on an
# earlier day, overdue. Percentages.
SHARES = (("pre", 60), ("reminded", 33), ("overdue", 7))
ASSIST_ONE_IN = 10
UNSIGNED_PERCENT = 15
TABLE = re.compile(r'(?:FROM|INTO|UPDATE)\s+"?(\w+)"?')


# --- database ------------------------------------------------------------------------------


def _database_exists(url: str) -> bool:
    import psycopg

    admin, name = _postgres_admin(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    return row is not None


def _loaded_tickets(url: str) -> int | None:
    """The ticket count a previous run loaded into this database, if any."""
    import psycopg

    parts = url.replace("postgres://", "postgresql://", 1)
    with psycopg.connect(parts, autocommit=True) as conn:
        exists = conn.execute("SELECT to_regclass('bench_sweeper_meta')").fetchone()
        if not exists or exists[0] is None:
            return None
        row = conn.execute("SELECT tickets FROM bench_sweeper_meta").fetchone()
    return row[0] if row else None


def prepare_database(tickets: int, keep: bool) -> tuple[str, bool]:
    """Point DATABASE_URL at the bench database; returns (url, reusing a loaded one)."""
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        raise SystemExit("bench/sweeper.py needs PostgreSQL (FOR UPDATE SKIP LOCKED)")
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("HOTLINE_DATA_DIR", tempfile.mkdtemp(prefix="hotline-bench-"))
    if keep and _database_exists(url) and _loaded_tickets(url) == tickets:
        return url, True
    _postgres(url, "DROP DATABASE IF EXISTS {} WITH (FORCE)")
    _postgres(url, "CREATE DATABASE {}")
    return url, False


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "false")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def drop(url: str) -> None:
    from django.db import connections

    connections.close_all()
    _postgres(url, "DROP DATABASE IF EXISTS {} WITH (FORCE)")


def _sql(statement: str, params: Sequence | dict | None = None) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


def _vacuum(*tables: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM ANALYZE {table}")


# --- the moment and the deadline table -----------------------------------------------------


def bench_now() -> datetime:
    """08:30:30 of the latest working day that has reached it: today's reminders fell due
    half a minute ago (reminders go out when the working day starts)."""
    from django.utils import timezone

    from hotline.sla.selectors import default_policy_version, work_calendar

    version = default_policy_version()
    assert version is not None
    start = version.as_policy().clock.day_start
    calendar = work_calendar()
    day = timezone.localdate()
    moment = timezone.make_aware(datetime.combine(day, start)) + timedelta(seconds=30)
    while not calendar.is_workday(day) or moment > timezone.now():
        day -= timedelta(days=1)
        moment = timezone.make_aware(datetime.combine(day, start)) + timedelta(seconds=30)
    return moment


@dataclass(frozen=True)
class Combo:
    kind: str
    category: str  # due | pre | reminded | overdue
    clock_start: datetime
    sign_due: datetime | None
    reply_due: datetime
    return_until: datetime | None
    remind_at: datetime
    lead: int


def deadline_table(now: datetime) -> list[Combo]:
    """Deadlines of the default policy for written dispatches every STEP over SPAN, each
    put in the category it is in at `now`, computed by the code the sweeper uses."""
    from django.utils import timezone

    from hotline.sla import compute
    from hotline.sla.policies import Kind, Mode
    from hotline.sla.selectors import default_policy_version, work_calendar

    version = default_policy_version()
    assert version is not None
    policy = version.as_policy()
    calendar = work_calendar()
    day_start = policy.clock.day_start
    today = timezone.localtime(now).date()
    combos = []
    moment = now - SPAN
    while moment < now - timedelta(hours=1):
        for kind in Kind:
            result = compute.ticket_deadlines(
                calendar, policy, kind=kind, mode=Mode.WRITTEN, start=moment
            )
            due = result.reply.due
            assert due is not None and len(result.reminders) == 1
            remind_day = result.reminders[0]
            remind_at = timezone.make_aware(datetime.combine(remind_day, day_start))
            if due <= now:
                category = "overdue"
            elif remind_at > now:
                category = "pre"
            elif remind_day == today:
                category = "due"
            else:
                category = "reminded"
            combos.append(
                Combo(
                    kind=str(kind),
                    category=category,
                    clock_start=moment,
                    sign_due=result.sign.due if result.sign else None,
                    reply_due=due,
                    return_until=result.return_until.due if result.return_until else None,
                    remind_at=remind_at,
                    lead=int(result.rule.reminder_leads[0]),
                )
            )
        moment += STEP
    return combos


# --- filling ------------------------------------------------------------------------------


@dataclass
class Loaded:
    tickets: int
    assignments: int
    seconds: float
    now: datetime
    due: int
    categories: dict[str, int] = field(default_factory=dict)
    reminders: int = 0
    notifications: int = 0
    events: int = 0
    reused: bool = False


def _copy(table: str, columns: Sequence[str], rows: Sequence[Sequence]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def fill(n: int, seed: int) -> Loaded:
    from django.db import connection, transaction

    from hotline.accounts.models import UNIT_ROLES, User
    from hotline.directory.models import Unit, UnitKind
    from hotline.notifications.models import Notification
    from hotline.site.demo import build_demo_city
    from hotline.sla.selectors import default_policy_version
    from hotline.supervision.models import Reminder
    from hotline.tickets import demo, search
    from hotline.tickets.models import Assignment, Citizen, Ticket, TicketEvent

    began = time.perf_counter()
    build_demo_city()
    version = default_policy_version()
    assert version is not None
    now = bench_now()
    combos = deadline_table(now)
    by_category = Counter(c.category for c in combos)
    missing = {"due", "pre", "reminded", "overdue"} - set(by_category)
    if missing:
        raise SystemExit(f"the deadline table has no {missing} rows at {now}")
    due = max(1, round(n * DUE_SHARE))
    people = {u.username: u for u in User.objects.all()}
    leads = list(
        Unit.objects.filter(active=True, parent__code="QX").exclude(
            kind__in=[UnitKind.GOVERNMENT, UnitKind.CENTER]
        )
    )
    slots = [u.pk for u in leads for _ in range(HEAVY.get(u.code, 2))]
    messages = demo.BUILT_IN
    seed_base = seed * 100

    def h(expr: str, salt: int) -> str:
        """A deterministic pseudo-random non-negative bigint per row."""
        return f"(hashint8extended({expr}, {seed_base + salt}) & 9223372036854775807)"

    ticket, assignment = Ticket._meta.db_table, Assignment._meta.db_table
    citizen, event = Citizen._meta.db_table, TicketEvent._meta.db_table
    reminder, notification = Reminder._meta.db_table, Notification._meta.db_table
    user = User._meta.db_table
    base = {
        table: _sql(f"SELECT coalesce(max(id), 0) FROM {table}")[0][0]
        for table in (ticket, citizen, assignment, reminder, notification, event)
    }

    def step(label: str, statement: str, params: Sequence | dict | None = None) -> None:
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            rows = cursor.rowcount
        took = time.perf_counter() - t0
        print(f"  {label:<28} {rows:>10,} rows {took:6.1f} s", file=sys.stderr)

    def insert(label: str, model, columns: str, select: str, params: dict) -> None:
        """INSERT … SELECT, with the model's defaults for NOT NULL columns not given
        (so a column added later does not break the bench)."""
        given = {c.strip() for c in columns.split(",")}
        names, values = [], []
        for f in model._meta.concrete_fields:
            if f.primary_key or f.null or f.column in given or not f.has_default():
                continue
            params[f"default_{f.column}"] = f.get_db_prep_save(f.get_default(), connection)
            names.append(f", {f.column}")
            values.append(f", %(default_{f.column})s")
        step(
            label,
            f"INSERT INTO {model._meta.db_table} ({columns}{''.join(names)}) "
            f"SELECT q.*{''.join(values)} FROM ({select}) AS q",
            params,
        )

    with transaction.atomic():
        _sql(
            "CREATE TEMP TABLE bench_combo (id int PRIMARY KEY, kind text, cat text, "
            "clock_start timestamptz, sign_due timestamptz, reply_due timestamptz, "
            "return_until timestamptz, remind_at timestamptz, lead int) ON COMMIT DROP"
        )
        _copy(
            "bench_combo",
            [
                "id",
                "kind",
                "cat",
                "clock_start",
                "sign_due",
                "reply_due",
                "return_until",
                "remind_at",
                "lead",
            ],
            [
                (
                    i,
                    c.kind,
                    c.category,
                    c.clock_start,
                    c.sign_due,
                    c.reply_due,
                    c.return_until,
                    c.remind_at,
                    c.lead,
                )
                for i, c in enumerate(combos)
            ],
        )
        _sql(
            "CREATE TEMP TABLE bench_message (idx int, summary text, detail text, terms text) "
            "ON COMMIT DROP"
        )
        _copy(
            "bench_message",
            ["idx", "summary", "detail", "terms"],
            [(i, m[1], m[2], search.terms(m[1], m[2], "")) for i, m in enumerate(messages)],
        )
        _sql("CREATE TEMP TABLE bench_unit (slot int, unit_id bigint) ON COMMIT DROP")
        _copy("bench_unit", ["slot", "unit_id"], list(enumerate(slots)))
        cuts = []
        total = 0
        for category, share in SHARES:
            total += share
            cuts.append(f"WHEN {h('i', 1)} %% 100 < {total} THEN '{category}'")
        step(
            "plan",
            f"""
            CREATE TEMP TABLE bench_plan ON COMMIT DROP AS
            WITH s AS (
                SELECT i, CASE WHEN i <= %(due)s THEN 'due' {" ".join(cuts)} END AS cat,
                       {h("i", 2)} AS pick
                FROM generate_series(1, %(n)s) AS i
            ), c AS (SELECT cat, array_agg(id ORDER BY id) AS ids FROM bench_combo GROUP BY cat)
            SELECT s.i, s.cat, c.ids[1 + (s.pick %% cardinality(c.ids))::int] AS combo,
                   CASE WHEN {h("s.i", 3)} %% 100 < {UNSIGNED_PERCENT}
                        THEN 'dispatched' ELSE 'handling' END AS state
            FROM s JOIN c USING (cat)
            """,
            {"due": due, "n": n},
        )
        _sql("ALTER TABLE bench_plan ADD PRIMARY KEY (i)")
        citizens = max(1, n * 2 // 3)
        insert(
            "citizens",
            Citizen,
            "id, name, phone, address, prefers_confidential, created_at",
            f"""
            SELECT %(c0)s + i,
                   (ARRAY['', '王先生', '李女士', '张女士', '刘先生'])[1 + {h("i", 4)} %% 5],
                   '13' || lpad(({h("i", 5)} %% 1000000000)::text, 9, '0'), '', false,
                   %(now)s - interval '400 days'
            FROM generate_series(1, %(count)s) AS i
            """,
            {"c0": base[citizen], "count": citizens, "now": now},
        )
        insert(
            "tickets",
            Ticket,
            "id, number, channel, kind, urgency, summary, detail, address, confidential, "
            "citizen_id, operator_id, received_at, status, intake_outcome, decline_reason, answer, "
            "policy_version_id, mode, instruction, screened, version, search_terms",
            f"""
            SELECT %(t0)s + p.i,
                   to_char(c.clock_start AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD')
                       || lpad(p.i::text, 7, '0'),
                   (ARRAY['phone', 'phone', 'phone', 'phone', 'phone', 'phone', 'web',
                          'wechat', 'app', 'mailbox'])[1 + {h("p.i", 6)} %% 10],
                   c.kind, 'normal', m.summary, m.detail, '', false,
                   %(c0)s + 1 + {h("p.i", 7)} %% %(citizens)s,
                   CASE WHEN p.i %% 2 = 0 THEN %(op1)s ELSE %(op2)s END,
                   c.clock_start - make_interval(mins => (10 + {h("p.i", 8)} %% 230)::int),
                   p.state, 'dispatch', '', '', %(version)s, 'written', '', false, 2, m.terms
            FROM bench_plan p
            JOIN bench_combo c ON c.id = p.combo
            JOIN bench_message m ON m.idx = {h("p.i", 9)} %% %(messages)s
            """,
            {
                "t0": base[ticket],
                "c0": base[citizen],
                "citizens": citizens,
                "op1": people["operator1"].pk,
                "op2": people["operator2"].pk,
                "version": version.pk,
                "messages": len(messages),
            },
        )
        # The lead assignment of every ticket, then an assisting unit on one in ten of the
        # tickets that are not due (so that exactly `due` assignments are due).
        warning = (
            "CASE c.cat WHEN 'reminded' THEN 'yellow' WHEN 'overdue' THEN 'red' ELSE 'normal' END"
        )
        next_check = (
            "CASE c.cat WHEN 'pre' THEN c.remind_at WHEN 'due' THEN c.remind_at "
            "WHEN 'reminded' THEN c.reply_due END"
        )
        columns = (
            "ticket_id, unit_id, role, mode, state, active, coordinated, dispatched_at, "
            "first_received_at, clock_start, extra_days, signed_at, sign_due, reply_due, "
            "return_until, warning, next_check_at"
        )
        insert(
            "lead assignments",
            Assignment,
            columns,
            f"""
            SELECT %(t0)s + p.i, u.unit_id, 'lead', 'written', p.state, true, false,
                   c.clock_start, c.clock_start, c.clock_start, 0,
                   CASE WHEN p.state = 'handling'
                        THEN least(c.clock_start + interval '2 hours', %(now)s) END,
                   c.sign_due, c.reply_due, c.return_until, {warning}, {next_check}
            FROM bench_plan p
            JOIN bench_combo c ON c.id = p.combo
            JOIN bench_unit u ON u.slot = {h("p.i", 10)} %% %(slots)s
            """,
            {"t0": base[ticket], "now": now, "slots": len(slots)},
        )
        insert(
            "assisting assignments",
            Assignment,
            columns,
            f"""
            SELECT %(t0)s + p.i, u.unit_id, 'assist', 'written', 'handling', true, false,
                   c.clock_start, c.clock_start, c.clock_start, 0, NULL::timestamptz,
                   NULL::timestamptz, c.reply_due, NULL::timestamptz, {warning}, {next_check}
            FROM bench_plan p
            JOIN bench_combo c ON c.id = p.combo
            JOIN bench_unit u ON u.slot = {h("p.i", 11)} %% %(slots)s
            JOIN {assignment} lead ON lead.ticket_id = %(t0)s + p.i AND lead.role = 'lead'
            WHERE p.cat <> 'due' AND {h("p.i", 12)} %% %(one_in)s = 0
              AND u.unit_id <> lead.unit_id
            """,
            {"t0": base[ticket], "slots": len(slots), "one_in": ASSIST_ONE_IN},
        )
        # What the sweeper wrote for the reminders of earlier days.
        step(
            "reminders (earlier days)",
            f"""
            INSERT INTO {reminder} (assignment_id, kind, lead_days, reply_due, note, at)
            SELECT a.id, 'auto', c.lead, a.reply_due, '', c.remind_at + interval '20 seconds'
            FROM {assignment} a
            JOIN bench_plan p ON a.ticket_id = %(t0)s + p.i
            JOIN bench_combo c ON c.id = p.combo
            WHERE a.id > %(a0)s AND c.cat IN ('reminded', 'overdue')
            ORDER BY a.id
            """,
            {"t0": base[ticket], "a0": base[assignment]},
        )
        text = (
            "'工单 ' || t.number || '「' || t.summary || '」将于 ' || "
            "to_char(a.reply_due AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') || "
            "' 到期，请抓紧办理并按时答复。'"
        )
        step(
            "notifications: inbox",
            f"""
            INSERT INTO {notification} (channel, recipient_id, address, subject, body,
                ticket_id, key, state, attempts, next_attempt_at, last_error, created_at,
                sent_at, read_at)
            SELECT 'inbox', usr.id, '', '催办', {text}, t.id,
                   'reminder:' || r.id || ':' || usr.id, 'sent', 0, r.at, '', r.at, r.at,
                   CASE WHEN r.id %% 3 > 0 THEN r.at + interval '2 hours' END
            FROM {reminder} r
            JOIN {assignment} a ON a.id = r.assignment_id
            JOIN {ticket} t ON t.id = a.ticket_id
            JOIN {user} usr ON usr.unit_id = a.unit_id AND usr.is_active
                 AND usr.role = ANY(%(roles)s)
            WHERE r.id > %(r0)s
            ORDER BY r.id, usr.id
            """,
            {"r0": base[reminder], "roles": sorted(UNIT_ROLES)},
        )
        step(
            "notifications: sms",
            f"""
            INSERT INTO {notification} (channel, address, subject, body, ticket_id, key, state,
                attempts, next_attempt_at, last_error, created_at, sent_at)
            SELECT 'sms', unit.liaison_phone, '催办', {text}, t.id,
                   'reminder:' || r.id || ':liaison', 'sent', 1, r.at, '', r.at,
                   r.at + interval '40 seconds'
            FROM {reminder} r
            JOIN {assignment} a ON a.id = r.assignment_id
            JOIN {ticket} t ON t.id = a.ticket_id
            JOIN {Unit._meta.db_table} unit ON unit.id = a.unit_id AND unit.liaison_phone <> ''
            WHERE r.id > %(r0)s
            ORDER BY r.id
            """,
            {"r0": base[reminder]},
        )
        step(
            "events: received",
            f"""
            INSERT INTO {event} (ticket_id, kind, at, actor_id, data)
            SELECT id, 'received', received_at, operator_id, '{{}}' FROM {ticket}
            WHERE id > %(t0)s ORDER BY id
            """,
            {"t0": base[ticket]},
        )
        step(
            "events: dispatched, signed",
            f"""
            INSERT INTO {event} (ticket_id, kind, at, actor_id, unit_id, assignment_id, data)
            SELECT a.ticket_id, e.kind, e.at, e.actor, a.unit_id, a.id, '{{}}'
            FROM {assignment} a,
                 LATERAL (VALUES ('dispatched', a.dispatched_at, %(dispatcher)s::bigint),
                                 ('signed', a.signed_at, NULL)) AS e(kind, at, actor)
            WHERE a.id > %(a0)s AND e.at IS NOT NULL
            ORDER BY a.id, e.at
            """,
            {"a0": base[assignment], "dispatcher": people["dispatcher1"].pk},
        )
        step(
            "events: reminded",
            f"""
            INSERT INTO {event} (ticket_id, kind, at, unit_id, assignment_id, data)
            SELECT a.ticket_id, 'reminded', r.at, a.unit_id, a.id,
                   jsonb_build_object('auto', true, 'lead', r.lead_days::float)
            FROM {reminder} r JOIN {assignment} a ON a.id = r.assignment_id
            WHERE r.id > %(r0)s ORDER BY r.id
            """,
            {"r0": base[reminder]},
        )
        for table in (ticket, citizen):
            _sql(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        # What a later --keep run needs to put the data back as it was before the sweep.
        _sql(
            "CREATE TABLE bench_sweeper_meta (tickets int, now timestamptz, reminder bigint, "
            "notification bigint, event bigint)"
        )
        _sql(
            f"""
            INSERT INTO bench_sweeper_meta
            SELECT %s, %s, (SELECT max(id) FROM {reminder}),
                   (SELECT max(id) FROM {notification}), (SELECT max(id) FROM {event})
            """,
            [n, now],
        )
        _sql(
            f"""
            CREATE TABLE bench_sweeper_due AS
            SELECT id, warning, next_check_at FROM {assignment}
            WHERE active AND state IN ('dispatched', 'handling') AND next_check_at <= %s
            """,
            [now],
        )
    t0 = time.perf_counter()
    _vacuum(citizen, ticket, assignment, reminder, notification, event)
    print(f"  {'vacuum analyze':<28} {'':>15} {time.perf_counter() - t0:6.1f} s", file=sys.stderr)
    loaded = describe(n, now, reused=False)
    loaded.seconds = time.perf_counter() - began
    check_consistency(now)
    return loaded


def describe(n: int, now: datetime, *, reused: bool) -> Loaded:
    from hotline.notifications.models import Notification
    from hotline.supervision.models import Reminder
    from hotline.tickets.models import Assignment, Ticket, TicketEvent

    categories = dict(
        _sql(
            f"SELECT warning, count(*) FROM {Assignment._meta.db_table} "
            "WHERE active GROUP BY warning"
        )
    )
    return Loaded(
        tickets=Ticket.objects.count(),
        assignments=Assignment.objects.count(),
        seconds=0.0,
        now=now,
        due=_sql("SELECT count(*) FROM bench_sweeper_due")[0][0],
        categories=categories,
        reminders=Reminder.objects.count(),
        notifications=Notification.objects.count(),
        events=TicketEvent.objects.count(),
        reused=reused,
    )


def check_consistency(now: datetime, sample: int = 200) -> None:
    """The stored deadlines are the ones the sweeper computes, and each next_check_at is
    the moment it would have chosen (a sample of every category)."""
    from django.utils import timezone

    from hotline.tickets import deadlines
    from hotline.tickets.models import Assignment

    rows = Assignment.objects.select_related("ticket__policy_version").filter(
        pk__in=[
            pk
            for (pk,) in _sql(
                f"SELECT id FROM {Assignment._meta.db_table} TABLESAMPLE SYSTEM (1) LIMIT %s",
                [sample],
            )
        ]
        + [pk for (pk,) in _sql("SELECT id FROM bench_sweeper_due LIMIT 20")]
    )
    checked = 0
    for a in rows:
        result = deadlines.assignment_deadlines(a.ticket, a)
        assert result.reply.due == a.reply_due, (a.pk, result.reply.due, a.reply_due)
        start = a.ticket.policy_version.as_policy().clock.day_start
        remind_at = timezone.make_aware(datetime.combine(result.reminders[0], start))
        expected = {"normal": remind_at, "yellow": a.reply_due, "red": None}[a.warning]
        assert a.next_check_at == expected, (a.pk, a.warning, a.next_check_at, expected)
        assert (a.next_check_at is not None and a.next_check_at <= now) == (
            remind_at <= now < a.reply_due and a.warning == "normal"
        ), a.pk
        checked += 1
    assert checked >= 20, checked


def reset() -> None:
    """Put a reused database back as it was loaded: delete what sweeps wrote, restore the
    due assignments."""
    from hotline.notifications.models import Notification
    from hotline.supervision.models import Reminder
    from hotline.tickets.models import Assignment, TicketEvent

    reminder, notification, event = _sql(
        "SELECT reminder, notification, event FROM bench_sweeper_meta"
    )[0]
    _sql(f"DELETE FROM {Notification._meta.db_table} WHERE id > %s", [notification])
    _sql(f"DELETE FROM {TicketEvent._meta.db_table} WHERE id > %s", [event])
    _sql(f"DELETE FROM {Reminder._meta.db_table} WHERE id > %s", [reminder])
    _sql(
        f"""
        UPDATE {Assignment._meta.db_table} a SET warning = d.warning,
            next_check_at = d.next_check_at
        FROM bench_sweeper_due d WHERE a.id = d.id
        """
    )
    _vacuum(
        Assignment._meta.db_table,
        Reminder._meta.db_table,
        Notification._meta.db_table,
        TicketEvent._meta.db_table,
    )


# --- measuring ------------------------------------------------------------------------------


@dataclass
class Measured:
    naive_s: float = 0.0
    naive_scanned: int = 0
    naive_found: int = 0
    due_s: float = 0.0
    due_counts: dict[str, int] = field(default_factory=dict)
    empty_first_ms: float = 0.0
    empty_median_ms: float = 0.0
    empty_counts: dict[str, int] = field(default_factory=dict)
    written: dict[str, int] = field(default_factory=dict)
    same_set: bool = False
    due_after: int = -1


def naive_scan(now: datetime) -> tuple[set[int], int]:
    """Read every open assignment through the ORM and decide in Python whether a reminder
    is due (the stored reply_due, the policy's lead days, the reminders already sent), as a
    helpdesk without a next-check column does on every pass. Generous to it: the calendar,
    the rules and the set of reminders sent are loaded once, not per ticket."""
    from django.utils import timezone

    from hotline.sla import compute
    from hotline.sla.models import PolicyVersion
    from hotline.sla.policies import Kind, Mode, Urgency
    from hotline.sla.selectors import work_calendar
    from hotline.supervision.models import Reminder
    from hotline.supervision.sweep import WATCHED
    from hotline.tickets.models import Assignment, WarningLevel

    calendar = work_calendar()
    rules: dict[tuple, tuple] = {}
    sent = set(
        Reminder.objects.filter(kind="auto").values_list("assignment_id", "lead_days", "reply_due")
    )
    due: set[int] = set()
    scanned = 0
    open_assignments = (
        Assignment.objects.filter(active=True, state__in=WATCHED)
        .select_related("ticket")
        .iterator(chunk_size=5000)
    )
    for a in open_assignments:
        scanned += 1
        ticket = a.ticket
        key = (ticket.policy_version_id, ticket.kind, a.mode, ticket.urgency)
        if key not in rules:
            policy = PolicyVersion.objects.get(pk=ticket.policy_version_id).as_policy()
            rule = policy.rule_for(Kind(ticket.kind), Mode(a.mode), Urgency(ticket.urgency))
            rules[key] = (rule.reminder_leads, policy.clock.day_start)
        leads, day_start = rules[key]
        if a.reply_due is None:
            continue
        if a.reply_due <= now:
            if a.warning != WarningLevel.RED:
                due.add(a.pk)
            continue
        day = timezone.localtime(a.reply_due).date()
        for lead in leads:
            moment = timezone.make_aware(
                datetime.combine(compute.workdays_before(calendar, day, int(lead)), day_start)
            )
            if moment <= now and (a.pk, int(lead), a.reply_due) not in sent:
                due.add(a.pk)
                break
    return due, scanned


def measure(loaded: Loaded, *, naive: bool = True) -> Measured:
    from hotline.core import clock
    from hotline.notifications.models import Notification
    from hotline.sla.selectors import work_calendar
    from hotline.supervision.models import Reminder
    from hotline.supervision.sweep import WATCHED, sweep
    from hotline.tickets.models import Assignment, TicketEvent

    m = Measured()
    reminder0, notification0, event0 = _sql(
        "SELECT reminder, notification, event FROM bench_sweeper_meta"
    )[0]
    with clock.frozen_at(loaded.now):
        work_calendar()  # built once per process; not part of any pass
        found: set[int] | None = None
        if naive:
            print("naive scan ...", file=sys.stderr)
            t0 = time.perf_counter()
            found, m.naive_scanned = naive_scan(loaded.now)
            m.naive_s = time.perf_counter() - t0
            m.naive_found = len(found)
            print(f"  {m.naive_s:.1f} s, {m.naive_found:,} due", file=sys.stderr)

        print("due sweep ...", file=sys.stderr)
        t0 = time.perf_counter()
        m.due_counts = sweep(limit=loaded.assignments + 1)
        m.due_s = time.perf_counter() - t0
        print(f"  {m.due_s:.1f} s, {m.due_counts}", file=sys.stderr)

        t0 = time.perf_counter()
        m.empty_counts = sweep(limit=loaded.assignments + 1)
        m.empty_first_ms = (time.perf_counter() - t0) * 1000
        samples = []
        for _ in range(EMPTY_REPEAT):
            t0 = time.perf_counter()
            counts = sweep(limit=loaded.assignments + 1)
            samples.append((time.perf_counter() - t0) * 1000)
            assert counts["checked"] == 0, counts
        m.empty_median_ms = statistics.median(samples)
        print(
            f"empty sweep: {m.empty_first_ms:.1f} ms, median {m.empty_median_ms:.1f} ms",
            file=sys.stderr,
        )

        handled = {
            pk
            for (pk,) in Reminder.objects.filter(pk__gt=reminder0, kind="auto").values_list(
                "assignment_id"
            )
        }
        m.same_set = handled == (found if found is not None else set(_due_ids()))
        m.written = {
            "reminders": Reminder.objects.filter(pk__gt=reminder0).count(),
            "inbox": Notification.objects.filter(pk__gt=notification0, channel="inbox").count(),
            "sms": Notification.objects.filter(pk__gt=notification0, channel="sms").count(),
            "events": TicketEvent.objects.filter(pk__gt=event0, kind="reminded").count(),
            "yellow now": Assignment.objects.filter(
                pk__in=_due_ids(), warning="yellow", next_check_at__gt=loaded.now
            ).count(),
        }
        m.due_after = Assignment.objects.filter(
            active=True, state__in=WATCHED, next_check_at__lte=loaded.now
        ).count()
    return m


def _due_ids() -> list[int]:
    return [pk for (pk,) in _sql("SELECT id FROM bench_sweeper_due")]


# --- profiling ------------------------------------------------------------------------------


def profile(loaded: Loaded, limit: int) -> str:
    """Put the data back, then sweep `limit` due assignments under cProfile, counting the
    SQL statements by kind and the time spent waiting for them."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from hotline.core import clock
    from hotline.supervision import sweep as sweeper

    reset()
    lines = [f"profile: sweep(limit={limit}) under cProfile (slower than the timed run)"]
    with clock.frozen_at(loaded.now):
        # The plan of the claim query while all the due rows are waiting.
        with transaction.atomic(), CaptureQueriesContext(connection) as captured:
            sweeper._claim(loaded.now, sweeper.BATCH)
            sql = captured.captured_queries[-1]["sql"]
            plan = [row[0] for row in _sql("EXPLAIN (ANALYZE, BUFFERS) " + sql)]
        kinds: Counter[str] = Counter()
        waited = [0.0]

        def count(execute, sql, params, many, context):
            head = sql.split(None, 1)[0].upper()
            if head == "SELECT" and ("FOR UPDATE" in sql or "FOR NO KEY UPDATE" in sql):
                head = "SELECT … FOR UPDATE"
            table = TABLE.search(sql)
            kinds[f"{head} {table.group(1) if table else ''}".strip()] += 1
            t0 = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                waited[0] += time.perf_counter() - t0

        profiler = cProfile.Profile()
        t0 = time.perf_counter()
        with connection.execute_wrapper(count):
            profiler.enable()
            counts = sweeper.sweep(limit=limit)
            profiler.disable()
        wall = time.perf_counter() - t0
    n = max(1, counts["checked"])
    lines.append(
        f"  {counts['checked']} checked, {counts['reminders']} reminders in {wall:.2f} s "
        f"({wall / n * 1000:.2f} ms each); SQL {sum(kinds.values()) / n:.1f} statements "
        f"and {waited[0] / n * 1000:.2f} ms waiting per assignment"
    )
    batches = -(-n // sweeper.BATCH)
    lines.append(f"  statements in all and per batch of {sweeper.BATCH} ({batches} batches):")
    for kind, number in kinds.most_common(20):
        lines.append(f"    {number:6,} {number / batches:7.1f}  {kind}")
    lines.append("  claim query plan (one batch, all due rows waiting):")
    lines += [f"    {row}" for row in plan]
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(35)
    stats.sort_stats("tottime").print_stats(20)
    lines.append(out.getvalue())
    return "\n".join(lines)


# --- report ---------------------------------------------------------------------------------


def report(loaded: Loaded, m: Measured) -> str:
    from django.utils import timezone

    ratio_due = m.naive_s / m.due_s if m.due_s else float("inf")
    ratio_empty = m.naive_s / (m.empty_first_ms / 1000) if m.empty_first_ms else float("inf")
    due_ok = m.due_s < DUE_GOAL_S
    empty_ok = m.empty_first_ms < EMPTY_GOAL_MS
    warnings = ", ".join(f"{k} {v:,}" for k, v in sorted(loaded.categories.items()))
    how = "reused (--keep)" if loaded.reused else f"loaded in {loaded.seconds:.0f} s"
    lines = [
        f"database: postgresql, {loaded.tickets:,} open tickets, {loaded.assignments:,} "
        f"assignments, {how}",
        f"  warnings before: {warnings}; "
        f"reminders {loaded.reminders:,}, notifications {loaded.notifications:,}, "
        f"events {loaded.events:,}",
        f"  clock frozen at {timezone.localtime(loaded.now):%Y-%m-%d %H:%M:%S %Z}; due now: "
        f"{loaded.due:,} assignments ({loaded.due / loaded.tickets:.2%} of the tickets)",
        "",
        f"naive ORM scan: {m.naive_scanned:,} open assignments read, {m.naive_found:,} found due",
        f"due sweep: {m.due_counts.get('checked', 0):,} checked, "
        f"{m.due_counts.get('reminders', 0):,} reminders sent; written: "
        + ", ".join(f"{k} {v:,}" for k, v in m.written.items()),
        f"empty sweep: {m.empty_counts}, first {m.empty_first_ms:.1f} ms, "
        f"median of {EMPTY_REPEAT} {m.empty_median_ms:.1f} ms",
        f"same assignments found by the {'naive scan' if m.naive_s else 'fill (no naive scan)'} "
        "and handled by the sweep: "
        f"{'yes' if m.same_set else 'NO'}; due after the sweep: {m.due_after}",
        "",
        f"{'measure':<34} {'value':>12}  goal",
        f"{'due sweep (s)':<34} {m.due_s:12.2f}  < {DUE_GOAL_S:.0f} s: {'yes' if due_ok else 'NO'}",
        f"{'handled (checked / reminders)':<34} "
        f"{m.due_counts.get('checked', 0):>6,} / {m.due_counts.get('reminders', 0):<,}",
        f"{'empty sweep, first (ms)':<34} {m.empty_first_ms:12.1f}  < {EMPTY_GOAL_MS:.0f} ms: "
        f"{'yes' if empty_ok else 'NO'}",
        f"{'empty sweep, median (ms)':<34} {m.empty_median_ms:12.1f}",
        f"{'naive scan (s)':<34} {m.naive_s:12.2f}",
        f"{'ratio naive / due sweep':<34} {ratio_due:12.1f}",
        f"{'ratio naive / empty sweep':<34} {ratio_empty:12,.0f}",
        f"{'goals met':<34} {'yes' if due_ok and empty_ok else 'no':>12}",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument(
        "--keep", action="store_true", help="reuse a loaded database and keep it afterwards"
    )
    parser.add_argument(
        "--no-naive",
        action="store_true",
        help="skip the naive scan (~1 min at 1,000,000 tickets); the sweep's assignments "
        "are then compared with the ones made due by the fill",
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="afterwards, sweep N due assignments again under cProfile",
    )
    args = parser.parse_args(argv)
    url, reused = prepare_database(args.tickets, args.keep)
    try:
        setup_django()
        if reused:
            from datetime import UTC

            print("reusing the loaded database; putting it back as loaded ...", file=sys.stderr)
            reset()
            now = _sql("SELECT now FROM bench_sweeper_meta")[0][0].astimezone(UTC)
            loaded = describe(args.tickets, now, reused=True)
        else:
            print(f"loading {args.tickets:,} open tickets ...", file=sys.stderr)
            loaded = fill(args.tickets, args.seed)
        measured = measure(loaded, naive=not args.no_naive)
        print(report(loaded, measured))
        if args.profile:
            print()
            print(profile(loaded, args.profile))
    finally:
        if args.keep:
            print(f"kept: {url}")
        else:
            drop(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
