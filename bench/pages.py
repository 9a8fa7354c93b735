"""Benchmark of the workbench pages and the ticket search on a city-sized database (issue 6).

Run from the repository root::

    .venv/bin/python bench/pages.py [--tickets 100000] [--repeat 30] [--seed 12345]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hotline_bench .venv/bin/python bench/pages.py

It makes a fresh database (SQLite in a temporary HOTLINE_DATA_DIR unless DATABASE_URL is
given; a PostgreSQL database named in DATABASE_URL is created and dropped by the run),
builds the demo city (hotline.site.demo.build_demo_city), then writes `--tickets` tickets
with their citizens, assignments, requests, replies, visits and events by bulk_create, in
the shares of hotline.tickets.demo.STATES and spread over the demo city's units. Then it
times every workbench page through django.test.Client as the user who works there and
prints p50 / p95 per page, the queries each page makes, and the ratio of p95 to the goal
(150 ms; below 1.0 meets it). `--keep` leaves the database for a closer look.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

GOAL_MS = 150.0
BATCH = 5000
URGENT_SHARE = 0.02  # urgent tickets (R-HM-4): few, and served first in every queue


# --- database ------------------------------------------------------------------------------


def _postgres_admin(url: str) -> tuple[str, str]:
    """(the server's maintenance database URL, the bench database name) from DATABASE_URL."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name:
        raise SystemExit("DATABASE_URL must name the bench database")
    return urlunsplit(parts._replace(scheme="postgresql", path="/postgres")), name


def _postgres(url: str, statement: str) -> None:
    import psycopg
    from psycopg import sql

    admin, name = _postgres_admin(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL(statement).format(sql.Identifier(name)))


def _postgres_exists(url: str) -> bool:
    import psycopg

    admin, name = _postgres_admin(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return found.fetchone() is not None


def prepare_environment(reuse: bool = False) -> tuple[str, Callable[[], None]]:
    """Point the settings at a fresh database (or, with `reuse`, at the one a `--keep` run
    left: the PostgreSQL database in DATABASE_URL or the SQLite file in HOTLINE_DATA_DIR);
    returns (engine label, clean-up)."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://", "pgsql://")):
        if not (reuse and _postgres_exists(url)):
            _postgres(url, "DROP DATABASE IF EXISTS {} WITH (FORCE)")
            _postgres(url, "CREATE DATABASE {}")
        os.environ.setdefault("HOTLINE_DATA_DIR", tempfile.mkdtemp(prefix="hotline-bench-"))

        def drop() -> None:
            from django.db import connections

            connections.close_all()
            _postgres(url, "DROP DATABASE IF EXISTS {} WITH (FORCE)")

        return "postgresql", drop
    if url:
        raise SystemExit("bench/pages.py runs on SQLite (no DATABASE_URL) or PostgreSQL")
    if reuse and os.environ.get("HOTLINE_DATA_DIR"):
        directory = os.environ["HOTLINE_DATA_DIR"]
        Path(directory).mkdir(parents=True, exist_ok=True)
    else:
        directory = tempfile.mkdtemp(prefix="hotline-bench-")
    os.environ["HOTLINE_DATA_DIR"] = directory

    def remove() -> None:
        import shutil

        shutil.rmtree(directory, ignore_errors=True)

    return "sqlite", remove


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "false")
    (Path(os.environ["HOTLINE_DATA_DIR"]) / "static").mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    from django.conf import settings

    # The demo accounts of a throwaway database: the production hasher (memory-hard, many
    # threads) takes minutes for them on a loaded machine and is not what is measured.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Hashed static names as in production, without compressing every file with brotli
    # (minutes of CPU on a shared machine; the bench never requests a static file).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    # Production settings (DEBUG off) serve hashed static names: collect them once.
    call_command("collectstatic", verbosity=0, interactive=False)


# --- filling ------------------------------------------------------------------------------


@dataclass
class Filled:
    tickets: int
    seconds: float
    sample_number: str
    sample_phone: str
    sample_word: str
    counts: dict[str, int]
    # Words with fewer matches (decision 0051), whose windows reach further back: one
    # message of the data's (1 in 447 tickets), and a place in 1 of 2,000 tickets.
    rarer_word: str = ""
    rare_place: str = ""


RARE_PLACE, RARE_EVERY = "清风巷", 2_000


# Units that take the lead, with weights: the demo accounts' units get a realistic share
# of a busy city (housing, city management, one street office), the rest spread evenly.
HEAVY = {"QX-ZJJ": 12, "QX-CGJ": 12, "QX-CD": 8, "QX-SJJ": 6, "QX-RSJ": 6}


def write(model, objects: list) -> None:
    """Insert `objects` and set their primary keys: COPY on PostgreSQL (ids reserved from
    the table's sequence first), bulk_create elsewhere. Ten times fewer round trips and no
    SQL parsing per row is what makes a 1,000,000-ticket fill take minutes, not an hour."""
    from django.db import connection

    if not objects:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objects, batch_size=BATCH)
        return
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
            "nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)",
            [meta.db_table, meta.db_table, len(objects)],
        )
        last = cursor.fetchone()[0]
        first = last - len(objects) + 1
        quote = connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in [meta.pk, *fields])
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for offset, obj in enumerate(objects):
                obj._prepare_related_fields_for_save(operation_name="bulk_create")
                obj.pk = first + offset
                obj._state.adding = False
                obj._state.db = connection.alias
                copy.write_row(
                    [obj.pk]
                    + [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
                )


def fill(n: int, seed: int) -> Filled:
    from django.db import connection, transaction

    from hotline.accounts.models import User
    from hotline.core import clock
    from hotline.directory.models import Unit, UnitKind
    from hotline.site.demo import build_demo_city
    from hotline.sla.selectors import default_policy_version
    from hotline.tickets import demo, search
    from hotline.tickets.models import (
        Assignment,
        AssignmentPause,
        Citizen,
        Reply,
        Ticket,
        TicketEvent,
        UnitRequest,
        Visit,
    )

    began = time.perf_counter()
    if connection.vendor == "sqlite":
        # A bench database that a crash may lose: no fsync per transaction while filling.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-200000")
    build_demo_city()
    rng = random.Random(seed)
    version = default_policy_version()
    assert version is not None
    people = {u.username: u for u in User.objects.all()}
    units = list(
        Unit.objects.filter(active=True).exclude(kind__in=[UnitKind.GOVERNMENT, UnitKind.CENTER])
    )
    leads = [u for u in units if u.parent and u.parent.code == "QX"]
    weights = [HEAVY.get(u.code, 2) for u in leads]
    by_code = {u.code: u for u in units}
    members: dict[int, list] = {}
    for user in people.values():
        if user.unit_id and user.role in ("unit_clerk", "unit_leader"):
            members.setdefault(user.unit_id, []).append(user)
    messages = list(demo._shared_messages()) or demo.BUILT_IN
    states = [state for state, weight in demo.STATES for _ in range(weight)]
    now = clock.now()
    operators = [people["operator1"], people["operator2"]]
    dispatcher, visitor = people["dispatcher1"], people["visitor1"]

    # Citizens: a third call more than once (repeat callers are common).
    citizen_count = max(1, n * 2 // 3)
    citizens = [
        Citizen(
            phone=f"13{rng.randrange(100000000, 999999999)}",
            name=rng.choice(["", "王先生", "李女士", "张女士", "刘先生"]),
            created_at=now - timedelta(days=400),
        )
        for _ in range(citizen_count)
    ]
    with transaction.atomic():
        write(Citizen, citizens)
    if not citizens[0].pk:  # backends without RETURNING
        citizens = list(Citizen.objects.order_by("pk"))

    counts: dict[str, int] = {}
    day_seq: dict[str, int] = {}
    done = 0
    while done < n:
        size = min(BATCH, n - done)
        plan = []
        tickets = []
        for i in range(done, done + size):
            state = rng.choice(states)
            # Open work is recent; finished work reaches back a year.
            if state in ("pending_dispatch", "dispatched", "handling", "return_review", "replied"):
                age = timedelta(minutes=rng.randrange(60, 30 * 24 * 60))
            else:
                age = timedelta(minutes=rng.randrange(3 * 24 * 60, 365 * 24 * 60))
            received = now - age
            label, summary, detail = messages[rng.randrange(len(messages))]
            # One ticket in 2,000 names this place: a word with few matches at any size
            # (the data's messages are too few for one: 447), yet a full page of 50 from
            # 100,000 tickets on, so each size shows as many rows.
            place = RARE_PLACE if i % RARE_EVERY == RARE_EVERY // 2 else ""
            day = received.strftime("%Y%m%d")
            day_seq[day] = day_seq.get(day, 0) + 1
            status = {"answered": "completed"}.get(state, state)
            intake_outcome = {"answered": "answer_now", "declined": "decline"}.get(
                state, "dispatch"
            )
            ticket = Ticket(
                number=f"{day}{day_seq[day]:05d}",
                channel=rng.choice(["phone"] * 6 + ["web", "wechat", "app", "mailbox"]),
                kind=demo.LABEL_UNITS[label][1],
                urgency="urgent" if rng.random() < URGENT_SHARE else "normal",
                summary=summary,
                detail=detail,
                address=place,
                search_terms=search.terms(summary, detail, place),
                citizen=citizens[rng.randrange(citizen_count)],
                operator=rng.choice(operators),
                received_at=received,
                status=status,
                intake_outcome=intake_outcome,
                decline_reason="other_city" if state == "declined" else "",
                answer="已根据知识库当即答复" if state == "answered" else "",
                policy_version=version,
                mode=""
                if intake_outcome != "dispatch" or state == "pending_dispatch"
                else "written",
                closed_at=received + timedelta(days=rng.randrange(5, 20))
                if state == "closed"
                else None,
            )
            tickets.append(ticket)
            plan.append(state)
            counts[state] = counts.get(state, 0) + 1
        with transaction.atomic():
            write(Ticket, tickets)
            assignments, events, later = [], [], []
            for ticket, state in zip(tickets, plan, strict=True):
                events.append(
                    TicketEvent(
                        ticket=ticket, kind="received", at=ticket.received_at, actor=ticket.operator
                    )
                )
                if state in ("pending_dispatch", "answered", "declined"):
                    continue
                lead_unit = rng.choices(leads, weights)[0]
                dispatched_at = ticket.received_at + timedelta(minutes=rng.randrange(10, 240))
                signed = state != "dispatched"
                a_state = {
                    "dispatched": Assignment.State.DISPATCHED,
                    "handling": Assignment.State.HANDLING,
                    "return_review": Assignment.State.RETURN_REVIEW,
                    "replied": Assignment.State.REPLIED,
                }.get(state, Assignment.State.CLOSED)
                reply_due = dispatched_at + timedelta(days=rng.randrange(3, 21))
                lead = Assignment(
                    ticket=ticket,
                    unit=lead_unit,
                    urgency=ticket.urgency,
                    role=Assignment.Role.LEAD,
                    mode="written",
                    state=a_state,
                    dispatched_at=dispatched_at,
                    first_received_at=dispatched_at,
                    clock_start=dispatched_at,
                    signed_at=dispatched_at + timedelta(hours=2) if signed else None,
                    sign_due=dispatched_at + timedelta(days=1),
                    reply_due=reply_due,
                    return_until=dispatched_at + timedelta(days=1),
                    replied_at=reply_due - timedelta(days=1)
                    if state in ("replied", "completed", "closed")
                    else None,
                )
                assignments.append(lead)
                later.append((ticket, state, lead))
                events.append(
                    TicketEvent(
                        ticket=ticket,
                        kind="dispatched",
                        at=dispatched_at,
                        actor=dispatcher,
                        unit=lead_unit,
                    )
                )
                if rng.random() < 0.15:
                    assist_unit = rng.choice(leads)
                    if assist_unit != lead_unit:
                        assignments.append(
                            Assignment(
                                ticket=ticket,
                                unit=assist_unit,
                                urgency=ticket.urgency,
                                role=Assignment.Role.ASSIST,
                                mode="written",
                                state=Assignment.State.HANDLING
                                if state in ("handling", "return_review", "dispatched")
                                else Assignment.State.CLOSED,
                                dispatched_at=dispatched_at,
                                first_received_at=dispatched_at,
                                clock_start=dispatched_at,
                                reply_due=reply_due,
                            )
                        )
                if signed:
                    events.append(
                        TicketEvent(
                            ticket=ticket,
                            kind="signed",
                            at=lead.signed_at,
                            unit=lead_unit,
                        )
                    )
            write(Assignment, assignments)
            requests, pauses, replies, visits = [], [], [], []
            for ticket, state, lead in later:
                clerk = next(
                    (u for u in members.get(lead.unit_id, []) if u.role == "unit_clerk"), None
                )
                if state == "return_review":
                    requests.append(
                        UnitRequest(
                            assignment=lead,
                            kind=UnitRequest.Kind.SEND_BACK,
                            urgency=lead.urgency,
                            reason="该事项不属于本单位职责",
                            legal_basis="本单位“三定”方案",
                            requested_by=clerk,
                            requested_at=lead.signed_at,
                        )
                    )
                    pauses.append(
                        AssignmentPause(assignment=lead, start=lead.signed_at, reason="退回审核中")
                    )
                    events.append(
                        TicketEvent(ticket=ticket, kind="send_back_requested", at=lead.signed_at)
                    )
                elif state == "handling" and rng.random() < 0.1:
                    requests.append(
                        UnitRequest(
                            assignment=lead,
                            kind=UnitRequest.Kind.EXTENSION,
                            urgency=lead.urgency,
                            reason="需要现场勘查，协调多个部门",
                            days=rng.choice([3, 5, 10]),
                            requested_by=clerk,
                            requested_at=lead.signed_at,
                        )
                    )
                    events.append(
                        TicketEvent(ticket=ticket, kind="extension_requested", at=lead.signed_at)
                    )
                if state in ("replied", "completed", "closed"):
                    replies.append(
                        Reply(
                            assignment=lead,
                            unit_id=lead.unit_id,
                            urgency=lead.urgency,
                            text=f"经核查，{ticket.summary}一事已按规定处理，并电话告知诉求人。",
                            points=[ticket.summary],
                            state=Reply.State.APPROVED,
                            written_by=clerk,
                            written_at=lead.replied_at,
                            approved_at=lead.replied_at,
                        )
                    )
                    for kind in ("reply_submitted", "reply_approved"):
                        events.append(TicketEvent(ticket=ticket, kind=kind, at=lead.replied_at))
                if state in ("completed", "closed"):
                    events.append(
                        TicketEvent(
                            ticket=ticket,
                            kind="completion_approved",
                            at=lead.replied_at + timedelta(hours=3),
                            actor=dispatcher,
                        )
                    )
                if state == "closed":
                    satisfaction = rng.choice(["satisfied", "satisfied", "basic", "unsatisfied"])
                    visits.append(
                        Visit(
                            ticket=ticket,
                            satisfaction=satisfaction,
                            resolved=satisfaction != "unsatisfied",
                            by=visitor,
                            at=ticket.closed_at,
                        )
                    )
                    events.append(TicketEvent(ticket=ticket, kind="visited", at=ticket.closed_at))
            write(UnitRequest, requests)
            write(AssignmentPause, pauses)
            write(Reply, replies)
            write(Visit, visits)
            write(TicketEvent, events)
        done += size
        print(f"  filled {done:,} tickets", file=sys.stderr, end="\r")
    print(file=sys.stderr)
    # A few replies waiting for the 住建局 leader's approval.
    zjj = by_code["QX-ZJJ"]
    waiting = Assignment.objects.filter(unit=zjj, state=Assignment.State.HANDLING, role="lead")[:30]
    Reply.objects.bulk_create(
        [
            Reply(
                assignment=a,
                unit_id=a.unit_id,
                urgency=a.urgency,
                text="拟答复：已处理。",
                state=Reply.State.SUBMITTED,
            )
            for a in waiting
        ]
    )
    # Each ticket's unit tokens, as the dispatch services write them: the migration's fill.
    unit_terms = importlib.import_module("hotline.tickets.migrations.0021_ticket_unit_terms")
    with connection.cursor() as cursor:
        cursor.execute(unit_terms.FILL[connection.vendor])
    settle()
    return sample(time.perf_counter() - began, counts)


def settle() -> None:
    """Statistics and, on PostgreSQL, the visibility map, as autovacuum leaves a database
    that has been running: without it an index-only scan still visits every heap row."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def sample(seconds: float = 0.0, counts: dict[str, int] | None = None) -> Filled:
    """What the pages look up (a number, a phone, a word), from the filled database."""
    from django.db.models import Count

    from hotline.tickets import demo
    from hotline.tickets.models import Ticket

    messages = list(demo._shared_messages()) or demo.BUILT_IN
    found = (
        Ticket.objects.filter(status="handling", assignments__unit__code="QX-ZJJ")
        .select_related("citizen")
        .order_by("-received_at")
        .first()
    )
    assert found is not None
    if counts is None:
        counts = dict(Ticket.objects.values_list("status").annotate(n=Count("id")).order_by())
    return Filled(
        tickets=Ticket.objects.count(),
        seconds=seconds,
        sample_number=found.number,
        sample_phone=found.citizen.phone,
        sample_word="电梯" if any("电梯" in m[1] for m in messages) else messages[0][1][:2],
        counts=counts,
        **_fewer_words(messages),
    )


def _fewer_words(messages) -> dict[str, str]:
    """The first two-character Chinese word found in one message only (the filler draws
    the messages uniformly) and the rare place's name."""
    shares: dict[str, int] = {}
    for message in messages:
        text = "".join(message[1:])
        for pair in {text[i : i + 2] for i in range(len(text) - 1)}:
            if all("\u4e00" <= c <= "\u9fff" for c in pair):
                shares[pair] = shares.get(pair, 0) + 1
    return {"rarer_word": min(w for w, n in shares.items() if n == 1), "rare_place": RARE_PLACE}


def _drop_indexes(tables: list[str], memory: str = "2GB") -> list[str]:
    """Drop the secondary indexes of `tables` (not those behind a constraint); returns the
    statements that make them again. Building an index once over the copied rows is many
    times faster than growing it row by row (the text index above all). On PostgreSQL the
    session also skips the foreign-key triggers: the copies point at copied rows only."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
            # The text index's GIN build writes out what it gathered whenever this fills
            # (about 185 bigrams a ticket: 2 GB holds 1,000,000 tickets' worth).
            cursor.execute("SELECT set_config('maintenance_work_mem', %s, false)", [memory])
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
                "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
                [tables],
            )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                f"AND tbl_name IN ({', '.join(['%s'] * len(tables))})",
                tables,
            )
        found = cursor.fetchall()
        for name, _statement in found:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    return [statement for _name, statement in found]


# The digits of a ticket number (YYYYMMDD + the day's 5-digit sequence) a multiplication may
# set: the sequence's leading zeros, then the year's 0.
NUMBER_DIGITS = (9, 10, 11, 12, 13, 2)


def multiply(times: int, index_memory: str = "2GB") -> None:
    """Make the filled database `times` as large by copying its tickets and everything
    hanging from them inside the database (INSERT … SELECT, no Python per row): the
    copies keep the states' shares, units, dates and texts exactly, so the larger run
    differs from the smaller only in size. Copy k gets ids shifted by k × the table's
    largest id, the first digit of the number's day sequence that is 0 everywhere set to k,
    and the caller's phone digit of the same rank (the 2nd, then the 3rd) shifted by k.
    This is how the 100,000, 1,000,000 and 10,000,000 databases are made from 10,000."""
    from django.db import connection, transaction

    from hotline.tickets.models import (
        Assignment,
        AssignmentPause,
        Citizen,
        Reply,
        Ticket,
        TicketEvent,
        UnitRequest,
        Visit,
    )

    copied = [Citizen, Ticket, Assignment, UnitRequest, AssignmentPause, Reply, Visit, TicketEvent]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The copying runs in the server's process for this session: as nice as we are.
            cursor.execute("SELECT pg_backend_pid()")
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, cursor.fetchone()[0], os.nice(0))
            cursor.execute("SET work_mem = '1GB'")  # the copies' sort in memory
        offsets = {}
        for model in copied:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {quote(model._meta.db_table)}")
            offsets[model] = cursor.fetchone()[0]
    with connection.cursor() as cursor:
        # The first digit of the day's sequence that is 0 in every number (a second
        # multiplication takes the next one; once the sequence has none, the year's
        # second digit, so a third copy's numbers read 21xx…29xx); in the phone, the
        # digit as far after the leading "1" as that digit is along NUMBER_DIGITS.
        for digit in NUMBER_DIGITS:
            cursor.execute(
                f"SELECT COUNT(*) FROM tickets_ticket WHERE substr(number, {digit}, 1) <> '0'"
            )
            if cursor.fetchone()[0] == 0:
                break
        else:
            raise SystemExit("no free digit left in the ticket numbers to multiply again")
    phone = 2 + NUMBER_DIGITS.index(digit)
    indexes = _drop_indexes([m._meta.db_table for m in copied], index_memory)
    for k in range(1, times):
        began = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            for model in copied:
                names, values = [], []
                for field in model._meta.concrete_fields:
                    column = quote(field.column)
                    target = field.related_model if field.is_relation else None
                    if field.primary_key:
                        value = f"{column} + {k * offsets[model]}"
                    elif target in offsets:
                        value = f"{column} + {k * offsets[target]}"
                    elif model is Ticket and field.name == "number":
                        value = (
                            f"substr({column}, 1, {digit - 1}) || '{k}' "
                            f"|| substr({column}, {digit + 1})"
                        )
                    elif model is Citizen and field.name == "phone":
                        value = (
                            f"substr({column}, 1, {phone - 1}) || CAST((CAST(substr("
                            f"{column}, {phone}, 1) AS INTEGER) + {k}) % 10 AS TEXT) "
                            f"|| substr({column}, {phone + 1})"
                        )
                    else:
                        value = column
                    names.append(column)
                    values.append(value)
                table = quote(model._meta.db_table)
                # A city's tickets lie in the table as they arrived: each copy is written
                # in received order, so one moment's copies lie together in each copy,
                # not a table's length apart (decision 0052).
                order = " ORDER BY received_at, id" if model is Ticket else ""
                cursor.execute(
                    f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(values)} "
                    f"FROM {table} WHERE id <= {offsets[model]}{order}"
                )
        print(f"  copy {k} of {times - 1}: {time.perf_counter() - began:.0f} s", file=sys.stderr)
    began = time.perf_counter()
    with connection.cursor() as cursor:
        for statement in indexes:
            cursor.execute(statement)
    print(f"  indexes rebuilt: {time.perf_counter() - began:.0f} s", file=sys.stderr)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for model in copied:
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT MAX(id) FROM {quote(table)}))"
                )
    settle()


# --- measuring ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Timing:
    name: str
    user: str
    url: str
    p50: float  # ms
    p95: float
    queries: int
    rows: int
    # p95 of this process's CPU time per request (ms): on SQLite the request's whole cost,
    # which a loaded machine stretches in wall time but not in CPU; on PostgreSQL only
    # Django's share (the server's work is in another process).
    cpu95: float = 0.0

    @property
    def ratio(self) -> float:
        return self.p95 / GOAL_MS


def pages(filled: Filled) -> list[tuple[str, str, str]]:
    """(name, username, url) of every page measured."""
    number, phone, word = filled.sample_number, filled.sample_phone, filled.sample_word
    out = [
        ("intake", "operator1", "/intake/"),
        ("intake: caller history", "operator1", f"/workbench/intake/history/?phone={phone}"),
    ]
    for tab in ("pending", "send_back", "extension", "completion"):
        out.append((f"dispatch: {tab}", "dispatcher1", f"/dispatch/?tab={tab}"))
    out.append(("dispatch: last page", "dispatcher1", "/dispatch/?tab=pending&page=9999"))
    for tab in ("sign", "handling", "due_soon", "overdue", "replied", "done"):
        out.append((f"inbox: {tab}", "zjj_clerk", f"/inbox/?tab={tab}"))
    out.append(("inbox: approve (leader)", "zjj_leader", "/inbox/?tab=approve"))
    out += [
        ("visits", "visitor1", "/visits/"),
        ("tickets: all", "dispatcher1", "/tickets/"),
        ("tickets: last page", "dispatcher1", "/tickets/?page=9999"),
        ("tickets: by number", "dispatcher1", f"/tickets/?number={number}"),
        ("tickets: by phone", "dispatcher1", f"/tickets/?phone={phone}"),
        ("tickets: by words", "dispatcher1", f"/tickets/?text={word}"),
        ("tickets: two words", "dispatcher1", f"/tickets/?text={word}+小区"),
        ("tickets: quick box", "dispatcher1", f"/tickets/?q={number}"),
        ("tickets: quick box words", "dispatcher1", f"/tickets/?q={word}"),
        ("tickets: status+kind", "dispatcher1", "/tickets/?status=handling&kind=complaint"),
        ("tickets: unit (clerk)", "zjj_clerk", "/tickets/"),
        ("tickets: words (clerk)", "zjj_clerk", f"/tickets/?text={word}"),
        ("tickets: rarer words", "dispatcher1", f"/tickets/?text={filled.rarer_word}"),
        ("tickets: rare place", "dispatcher1", f"/tickets/?text={filled.rare_place}"),
        ("tickets: rare (clerk)", "zjj_clerk", f"/tickets/?text={filled.rare_place}"),
        ("ticket detail", "zjj_clerk", f"/tickets/{number}/"),
        ("ticket detail (hotline)", "dispatcher1", f"/tickets/{number}/"),
    ]
    return out


def explain(name: str, statements: list[tuple[float, str, object]], top: int = 2) -> str:
    """The plans of a page's slowest statements: EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL,
    EXPLAIN QUERY PLAN on SQLite (bench/README.md, "where the time goes")."""
    from django.db import connection

    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if connection.vendor == "postgresql" else ""
    prefix = prefix or "EXPLAIN QUERY PLAN "
    out = []
    slowest = sorted(statements, key=lambda s: -s[0])
    for ms, sql, params in [s for s in slowest if not s[1].startswith("EXPLAIN")][:top]:
        with connection.cursor() as cursor:  # (a page's own EXPLAIN plans, it runs nothing)
            cursor.execute(prefix + sql, params)
            plan = "\n".join("    " + " ".join(str(c) for c in row) for row in cursor.fetchall())
        out.append(f"--- {name}: {ms:.1f} ms\n    {sql[:400]}\n{plan}")
    return "\n".join(out)


def measure(
    filled: Filled,
    repeat: int,
    plans: list[str] | None = None,
    only: Sequence[str] = (),
) -> list[Timing]:
    from django.db import connection
    from django.test import Client

    from hotline.accounts.models import User

    clients: dict[str, Client] = {}
    timings = []
    for name, username, url in pages(filled):
        if only and not any(part in name for part in only):
            continue
        if username not in clients:
            client = clients[username] = Client(HTTP_HOST="localhost")
            client.force_login(User.objects.get(username=username))
            client.cookies["django_language"] = "zh-hans"
        client = clients[username]
        for _ in range(2):  # warm caches (calendar, templates)
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        executed: list[tuple[float, str, object]] = []

        def count(execute, sql, params, many, context, executed=executed):
            began = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                executed.append(((time.perf_counter() - began) * 1000, sql, params))

        with connection.execute_wrapper(count):
            client.get(url)
        if plans is not None:
            plans.append(explain(name, executed))
        samples, cpu = [], []
        for _ in range(repeat if repeat == 0 else max(2, repeat)):  # 0: plans only
            began, began_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            samples.append((time.perf_counter() - began) * 1000)
            cpu.append((time.process_time() - began_cpu) * 1000)
        assert response.status_code == 200
        samples = sorted(samples) or [0.0, 0.0]
        p95 = statistics.quantiles(samples, n=20, method="inclusive")[18]
        cpu95 = statistics.quantiles(sorted(cpu) or [0.0, 0.0], n=20, method="inclusive")[18]
        timings.append(
            Timing(
                name=name,
                user=username,
                url=url,
                p50=statistics.median(samples),
                p95=p95,
                queries=len(executed),
                rows=response.content.count(b"<tr"),
                cpu95=cpu95,
            )
        )
        print(f"  {name:<26} p95 {p95:8.1f} ms", file=sys.stderr)
    return timings


def report(engine: str, filled: Filled, timings: Sequence[Timing], repeat: int) -> str:
    lines = [
        f"database: {engine}, {filled.tickets:,} tickets filled in {filled.seconds:.1f} s "
        f"({', '.join(f'{k} {v:,}' for k, v in sorted(filled.counts.items()))})",
        f"each page {repeat} times after 2 warm-ups; goal p95 < {GOAL_MS:.0f} ms "
        "(ratio = p95 / goal, below 1.00 meets it); cpu p95 = this process's CPU per "
        "request (SQLite: the whole request; PostgreSQL: Django's share)",
        "",
        f"{'page':<26} {'user':<12} {'p50 ms':>8} {'p95 ms':>8} {'ratio':>6} {'queries':>7}"
        f" {'cpu p95':>8}",
    ]
    for t in timings:
        flag = "" if t.ratio < 1 else "  SLOW"
        lines.append(
            f"{t.name:<26} {t.user:<12} {t.p50:8.1f} {t.p95:8.1f} {t.ratio:6.2f} "
            f"{t.queries:7d} {t.cpu95:8.1f}{flag}"
        )
    worst = max(timings, key=lambda t: t.p95)
    slow = [t for t in timings if t.ratio >= 1]
    lines += [
        "",
        f"worst: {worst.name} p95 {worst.p95:.1f} ms (ratio {worst.ratio:.2f}); "
        f"{len(slow)} of {len(timings)} pages over the goal",
    ]
    return "\n".join(lines)


GROWTH_GOAL = 1.5  # p95 on the larger database ÷ p95 on the smaller: flat is at most 1.5


def save(path: str, engine: str, filled: Filled, timings: Sequence[Timing]) -> None:
    import json

    rows = [
        {"name": t.name, "p50": t.p50, "p95": t.p95, "queries": t.queries, "cpu95": t.cpu95}
        for t in timings
    ]
    data = {"engine": engine, "tickets": filled.tickets, "pages": rows}
    Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def compare(paths: Sequence[str]) -> str:
    """Runs saved with --save side by side (e.g. 100,000 and 1,000,000 tickets): p95 and
    queries per page, and the growth ratio p95(last) ÷ p95(first) (flat: <= 1.5)."""
    import json

    runs = [json.loads(Path(p).read_text(encoding="utf-8")) for p in paths]
    heads = [f"{r['engine'][:6]} {r['tickets']:,}".replace("postgr", "PG") for r in runs]
    lines = [
        f"p95 in ms (queries per request); growth = last ÷ first, flat <= {GROWTH_GOAL}; "
        f"goal p95 < {GOAL_MS:.0f} ms",
        "",
        f"{'page':<26} " + " ".join(f"{h:>18}" for h in heads) + f" {'growth':>7}",
    ]
    by_name = [{p["name"]: p for p in r["pages"]} for r in runs]
    flagged = 0
    for name in [p["name"] for p in runs[0]["pages"]]:
        cells = [b.get(name) for b in by_name]
        text = " ".join(
            f"{c['p95']:12.1f} ({c['queries']:2d})" if c else f"{'—':>18}" for c in cells
        )
        first, last = cells[0], cells[-1]
        growth = last["p95"] / first["p95"] if first and last and first["p95"] else 0.0
        slow = bool(last and last["p95"] >= GOAL_MS)
        steep = growth > GROWTH_GOAL
        flagged += slow or steep
        flags = ("  SLOW" if slow else "") + ("  GROWS" if steep else "")
        lines.append(f"{name:<26} {text} {growth:7.2f}{flags}")
    lines += ["", f"{flagged} of {len(runs[0]['pages'])} pages slow or growing"]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument(
        "--repeat", type=int, default=30, help="timed requests per page (>= 2; 0: plans only)"
    )
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure the database a --keep run left (DATABASE_URL, or HOTLINE_DATA_DIR for "
        "SQLite) instead of filling a new one; implies --keep",
    )
    parser.add_argument("--fill-only", action="store_true", help="fill (and keep), do not time")
    parser.add_argument(
        "--multiply",
        type=int,
        default=1,
        metavar="K",
        help="with --reuse: copy the kept database's tickets to K times as many, in SQL",
    )
    parser.add_argument(
        "--index-memory",
        default="2GB",
        help="PostgreSQL's maintenance_work_mem for the multiply's index rebuild "
        "(e.g. 12GB for 10,000,000 tickets)",
    )
    parser.add_argument(
        "--explain", metavar="FILE", help="write the plans of each page's slowest statements"
    )
    parser.add_argument("--save", metavar="FILE", help="also write the timings as JSON")
    parser.add_argument(
        "--pages",
        nargs="+",
        default=[],
        metavar="TEXT",
        help="time only the pages whose name contains one of these (e.g. 'words')",
    )
    parser.add_argument(
        "--compare",
        nargs="+",
        metavar="FILE",
        help="print saved runs side by side with the growth ratio (no database needed)",
    )
    args = parser.parse_args(argv)
    if args.compare:
        print(compare(args.compare))
        return 0
    args.keep = args.keep or args.reuse or args.fill_only
    engine, clean_up = prepare_environment(reuse=args.reuse or args.fill_only)
    try:
        setup_django()
        from hotline.tickets.models import Ticket

        if args.reuse and Ticket.objects.exists():
            if args.multiply > 1:
                print(f"copying the tickets to {args.multiply}× ...", file=sys.stderr)
                multiply(args.multiply, args.index_memory)
            filled = sample()
            print(f"reusing {filled.tickets:,} tickets on {engine}", file=sys.stderr)
        else:
            print(f"filling {args.tickets:,} tickets on {engine} ...", file=sys.stderr)
            filled = fill(args.tickets, args.seed)
            print(f"filled in {filled.seconds:.0f} s", file=sys.stderr)
        if args.fill_only:
            return 0
        plans: list[str] | None = [] if args.explain else None
        timings = measure(filled, args.repeat, plans, args.pages)
        if args.explain and plans is not None:
            Path(args.explain).write_text("\n\n".join(plans) + "\n", encoding="utf-8")
        print(report(engine, filled, timings, args.repeat))
        if args.save:
            save(args.save, engine, filled, timings)
    finally:
        if args.keep:
            print(f"kept: {os.environ.get('DATABASE_URL') or os.environ['HOTLINE_DATA_DIR']}")
        else:
            clean_up()
    return 0


if __name__ == "__main__":
    sys.exit(main())
