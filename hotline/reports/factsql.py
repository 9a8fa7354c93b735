"""The rules of `indicators.ticket_facts` as one set-based statement (a year at once).

`indicators.ticket_facts` is the reference: it reads one ticket in Python and is what
`selectors.unit_counts_from_events` and the drill-down's explanations use. Recomputing a
year of a big city that way read every event into Python (a million tickets: ~5 minutes);
here the same rules are one `INSERT … SELECT` over the tickets listed in the temporary
table `hl_refresh_ids`, in PostgreSQL or SQLite, so the rows never leave the database.
They go into a staging table first and are compared with the stored facts, so that only
the tickets whose facts changed are rewritten (`mark_changed`, decision 0030).
The property test (tests/test_property.py) holds the stored facts equal to a brute-force
count and to `unit_counts_from_events` (the Python rules) on random histories.

Each part below cites the rule of `indicators` it restates. Moments are compared as
stored (aware timestamps on PostgreSQL, UTC text of one format on SQLite); a local day is
the Asia/Shanghai date (UTC+8, no daylight saving since 1991).
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from hotline.reports import indicators as ind

IDS = "hl_refresh_ids"  # temporary table of the tickets being refreshed
NEW = "hl_new_facts"  # temporary table of their facts as computed now
EXCLUDED = "hl_excluded_units"  # temporary table of their approved exclusions (ticket, unit)
CHANGED = "hl_changed_tickets"  # temporary table of those whose facts differ from the stored


def _quoted(values) -> str:
    """Constants of indicators (event kinds, metric keys) as SQL literals: no input here."""
    return ", ".join(f"'{v}'" for v in sorted(values))


class _Dialect:
    def __init__(self) -> None:
        self.pg = connection.vendor == "postgresql"

    def day(self, column: str) -> str:
        if self.pg:
            return f"CAST(({column}) AT TIME ZONE 'Asia/Shanghai' AS DATE)"
        return f"date({column}, '+8 hours')"

    def text(self, key: str, alias: str = "e") -> str:
        """A key of an event's JSON data as text (NULL when absent)."""
        if self.pg:
            return f"({alias}.data ->> '{key}')"
        return f"json_extract({alias}.data, '$.{key}')"

    def truthy(self, key: str, alias: str = "e") -> str:
        """Python's truth of data.get(key): absent, null, false, 0 and "" are false."""
        if self.pg:
            return f"(COALESCE({self.text(key, alias)}, '') NOT IN ('', 'false', '0'))"
        return f"(COALESCE({self.text(key, alias)}, 0) NOT IN (0, ''))"

    def round(self, alias: str = "e") -> str:
        """int(data.get("round") or 1): a visit written before rounds existed is round 1."""
        value = self.text("round", alias)
        return f"(CASE WHEN {self.truthy('round', alias)} THEN CAST({value} AS INTEGER) ELSE 1 END)"


def _slots(n: int) -> str:
    """A derived table k = 1..n, to emit up to n facts from one row in one scan."""
    return "(" + " UNION ALL ".join(f"SELECT {k} AS k" for k in range(1, n + 1)) + ")"


def facts_parts(now: datetime) -> list[tuple[str, list]]:
    """One SELECT per rule of (ticket_id, unit_id, day, metric): every fact of the listed
    tickets as of `now`, before exclusions; each with its parameters."""
    d = _Dialect()
    at_now = connection.ops.adapt_datetimefield_value(now)
    scope = f"JOIN {IDS} r ON r.id = "
    answered = _quoted({"answer_now", "guide", "forward"})
    event_case = " ".join(f"WHEN '{k}' THEN '{m}'" for k, m in sorted(ind.EVENT_METRICS.items()))
    counted = _quoted({*ind.EVENT_METRICS, "exclusion_approved"})
    visits = _quoted(ind.VISIT_EVENTS)
    answers = _quoted(ind.SATISFACTION_METRIC)
    none = "CAST(NULL AS BIGINT)"  # PostgreSQL would type a bare NULL as text
    parts = [
        # The hotline's own figures on the day of intake.
        f"SELECT t.id AS ticket_id, {none} AS unit_id, {d.day('t.received_at')} AS day, "
        f"'intake' AS metric FROM tickets_ticket t {scope}t.id",
        f"SELECT t.id, {none}, {d.day('t.received_at')}, "
        f"CASE WHEN t.intake_outcome IN ({answered}) THEN 'answered_now' ELSE 'declined' END "
        f"FROM tickets_ticket t {scope}t.id "
        f"WHERE t.intake_outcome IN ({answered}, 'decline')",
        # Every assignment on its dispatch day.
        f"SELECT a.ticket_id, a.unit_id, {d.day('a.dispatched_at')}, CASE a.role "
        "WHEN 'lead' THEN 'received_lead' ELSE 'received_assist' END "
        f"FROM tickets_assignment a {scope}a.ticket_id WHERE a.role IN ('lead', 'assist')",
        # Events counted for their unit (or their assignment's) on their day; a prompt
        # signature also counts as signed on time.
        f"SELECT e.ticket_id, e.unit, {d.day('e.at')}, CASE WHEN s.k = 2 THEN 'signed_on_time' "
        f"WHEN e.kind = 'exclusion_approved' THEN 'excluded' ELSE CASE e.kind {event_case} END "
        "END FROM (SELECT e.ticket_id, e.kind, e.at, e.data, COALESCE(e.unit_id, a.unit_id) "
        f"AS unit FROM tickets_ticketevent e {scope}e.ticket_id LEFT JOIN tickets_assignment a "
        "ON a.id = e.assignment_id AND a.ticket_id = e.ticket_id "
        f"WHERE e.kind IN ({counted})) e CROSS JOIN {_slots(2)} s "
        f"WHERE e.unit IS NOT NULL AND (s.k = 1 OR (e.kind = 'signed' "
        f"AND NOT {d.truthy('late')}))",
        # Reply deadlines of lead assignments (indicators._deadline_facts): due on the day
        # the deadline fell, then on time or overdue by the last approved reply after the
        # last reopening.
        f"SELECT l.ticket_id, l.unit_id, {d.day('l.reply_due')}, CASE WHEN s.k = 1 THEN 'due' "
        "WHEN l.replied IS NOT NULL AND l.replied <= l.reply_due THEN 'on_time' "
        "ELSE 'overdue' END FROM (SELECT o.ticket_id, o.unit_id, o.reply_due, "
        "(SELECT MAX(p.at) FROM tickets_ticketevent p WHERE p.assignment_id = o.id "
        "AND p.ticket_id = o.ticket_id AND p.kind = 'reply_approved' "
        "AND (o.reopened IS NULL OR p.at > o.reopened)) AS replied "
        "FROM (SELECT a.id, a.ticket_id, a.unit_id, a.reply_due, "
        "(SELECT MAX(q.at) FROM tickets_ticketevent q WHERE q.assignment_id = a.id "
        f"AND q.ticket_id = a.ticket_id AND q.kind IN ({_quoted(ind.REOPENING)})) AS reopened "
        f"FROM tickets_assignment a {scope}a.ticket_id WHERE a.role = 'lead' "
        "AND a.reply_due IS NOT NULL AND a.state <> 'returned') o) l "
        f"CROSS JOIN {_slots(2)} s WHERE l.reply_due <= %s OR l.replied IS NOT NULL",
        # The response window (indicators._response_facts).
        f"SELECT a.ticket_id, a.unit_id, {d.day('a.contact_due')}, CASE WHEN s.k = 1 "
        "THEN 'response_due' ELSE 'responded' END FROM tickets_assignment a "
        f"{scope}a.ticket_id CROSS JOIN {_slots(2)} s WHERE a.contact_due IS NOT NULL "
        "AND (s.k = 1 OR a.first_contact_at <= a.contact_due) "
        "AND (a.contact_due <= %s OR a.first_contact_at <= a.contact_due)",
        # The counted visit (indicators._visit_facts): of the latest round, the last done
        # visit or the failed call given up after, for the lead answerable at that moment.
        f"SELECT v.ticket_id, v.unit_id, {d.day('v.at')}, CASE s.k WHEN 1 THEN 'visited' "
        "WHEN 2 THEN CASE WHEN v.failed = 1 THEN 'not_visited' ELSE v.sat END "
        "WHEN 3 THEN CASE WHEN v.failed = 1 THEN 'unit_rated' WHEN v.resolved = 1 "
        f"THEN 'resolved' END WHEN 4 THEN CASE WHEN v.failed = 0 AND v.us IN ({answers}) "
        f"THEN 'unit_rated' END ELSE CASE WHEN v.failed = 0 AND v.us IN ({answers}) "
        "THEN 'unit_' || v.us END END "
        "FROM (SELECT c.ticket_id, c.at, c.failed, c.sat, c.resolved, c.us, "
        "COALESCE((SELECT a.unit_id FROM tickets_assignment a WHERE a.ticket_id = c.ticket_id "
        "AND a.role = 'lead' AND a.active ORDER BY a.dispatched_at DESC, a.id DESC LIMIT 1), "
        "(SELECT a.unit_id FROM tickets_assignment a WHERE a.ticket_id = c.ticket_id "
        "AND a.role = 'lead' AND a.dispatched_at <= c.at "
        "ORDER BY a.dispatched_at DESC, a.id DESC LIMIT 1)) AS unit_id "
        "FROM (SELECT b.*, ROW_NUMBER() OVER (PARTITION BY b.ticket_id "
        "ORDER BY b.at DESC, b.id DESC) AS rn FROM (SELECT e.id, e.ticket_id, e.at, "
        "CASE WHEN e.kind = 'visit_failed' THEN 1 ELSE 0 END AS failed, "
        f"{d.text('satisfaction')} AS sat, "
        f"CASE WHEN {d.truthy('resolved')} THEN 1 ELSE 0 END AS resolved, "
        f"{d.text('unit_satisfaction')} AS us, "
        f"CASE WHEN (e.kind = 'visited' AND {d.truthy('satisfaction')}) "
        f"OR (e.kind = 'visit_failed' AND {d.truthy('gave_up')}) THEN 1 ELSE 0 END AS final, "
        f"{d.round()} AS rnd, MAX({d.round()}) OVER (PARTITION BY e.ticket_id) AS latest "
        f"FROM tickets_ticketevent e {scope}e.ticket_id WHERE e.kind IN ({visits})) b "
        "WHERE b.final = 1 AND b.rnd = b.latest) c WHERE c.rn = 1) v "
        f"CROSS JOIN {_slots(5)} s WHERE v.unit_id IS NOT NULL",
    ]
    return [(part, [at_now] * part.count("%s")) for part in parts]


def facts_select(now: datetime) -> tuple[str, list]:
    """The SELECT of (ticket_id, unit_id, day, metric) of every fact of the listed tickets
    as of `now`, before exclusions; with its parameters."""
    parts = facts_parts(now)
    return " UNION ALL ".join(p for p, _ in parts), [v for _, values in parts for v in values]


COLUMNS = "ticket_id, unit_id, day, metric, kind, channel, topic_id, region_id"


def stage_facts(now: datetime) -> None:
    """Write the facts of the listed tickets into the temporary table `NEW` (one row per
    fact, n = 1), with the ticket's dimensions, leaving out what an approved exclusion
    (剔除) takes away from its unit (every fact of that unit but "excluded" itself).
    The staging table has no index: it is written once and read in whole."""
    select, params = facts_select(now)
    types = (
        "ticket_id BIGINT, unit_id BIGINT, day DATE, metric VARCHAR(24), kind VARCHAR(16), "
        "channel VARCHAR(16), topic_id INTEGER, region_id INTEGER"
    )
    sql = (
        f"INSERT INTO {NEW} ({COLUMNS}) SELECT f.ticket_id, f.unit_id, f.day, f.metric, "
        f"t.kind, t.channel, t.topic_id, t.region_id FROM ({select}) f "
        "JOIN tickets_ticket t ON t.id = f.ticket_id "
        "WHERE f.metric IS NOT NULL AND (f.unit_id IS NULL OR f.metric = 'excluded' OR NOT "
        f"EXISTS (SELECT 1 FROM {EXCLUDED} x WHERE x.ticket_id = f.ticket_id "
        "AND x.unit_id = f.unit_id))"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {NEW} ({types})")
        cursor.execute(f"DELETE FROM {NEW}")
        # The few approved exclusions of the listed tickets, looked up once: probing the
        # requests of every unit fact's assignments was a quarter of this statement.
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {EXCLUDED} (ticket_id BIGINT, "
            "unit_id BIGINT, PRIMARY KEY (ticket_id, unit_id))"
        )
        cursor.execute(f"DELETE FROM {EXCLUDED}")
        cursor.execute(
            f"INSERT INTO {EXCLUDED} (ticket_id, unit_id) SELECT DISTINCT x.ticket_id, "
            "x.unit_id FROM tickets_assignment x JOIN tickets_unitrequest q "
            f"ON q.assignment_id = x.id JOIN {IDS} r ON r.id = x.ticket_id "
            "WHERE q.decision = 'approved' AND q.kind = 'exclusion'"
        )
        if connection.vendor == "postgresql":
            # The correlated sub-selects inflate the estimate past jit_above_cost, and
            # compiling this statement took ~4 s, longer than running it on 10,000 tickets.
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, params)


def mark_changed(*, every_listed: bool = False) -> int:
    """List in `CHANGED` the tickets whose staged facts differ from the stored ones, as
    multisets of whole rows (a ticket may hold the same fact twice: two reminders on one
    day): one grouping over both, each row weighted +1 (staged) or −n (stored), keeps the
    groups whose weights do not cancel. `every_listed`: nothing is stored for them yet (a
    first computation), so every listed ticket is changed. Returns how many changed."""
    stored = ", ".join(f"f.{c}" for c in COLUMNS.split(", "))
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {CHANGED} (id BIGINT PRIMARY KEY)")
        cursor.execute(f"DELETE FROM {CHANGED}")
        if every_listed:
            cursor.execute(f"INSERT INTO {CHANGED} (id) SELECT id FROM {IDS}")
            return cursor.rowcount
        cursor.execute(
            f"INSERT INTO {CHANGED} (id) SELECT DISTINCT ticket_id FROM (SELECT {COLUMNS} "
            f"FROM (SELECT {COLUMNS}, 1 AS w FROM {NEW} UNION ALL SELECT {stored}, -f.n "
            f"FROM reports_fact f WHERE f.ticket_id IN (SELECT id FROM {IDS})) u "
            f"GROUP BY {COLUMNS} HAVING SUM(w) <> 0) d"
        )
        return cursor.rowcount
