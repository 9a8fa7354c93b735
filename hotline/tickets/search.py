"""Word search over tickets' summary, detail and place, through an index on both databases.

`LIKE '%噪音%'` cannot use a B-tree, and trigram indexes need three characters while most
Chinese search words have two. So each ticket keeps `search_terms`: the character bigrams
of its text, each spelled as an ASCII token ("噪音" → "k566ag97f3") so that neither
database's tokenizer or locale can split or drop it. PostgreSQL indexes the column as a
`tsvector` (GIN); SQLite keeps it in an FTS5 table fed by triggers. A search word becomes
"all its bigrams", which narrows the candidates through the index; the exact
`icontains` test then runs on those few rows only. Words of one character have no
bigram and fall back to the plain scan. See docs/decisions/0005-search.md.

A unit sees a few percent of a common word's matches. Each ticket also keeps
`unit_terms`, a token per unit it was ever given to ("u12"), which the dispatch writes in
the same UPDATE; on PostgreSQL the index holds both columns and the received time, so a
unit's word search asks the index for "these words, these units, after t" and fetches
about the rows it may see (decision 0051). The exact rule (`sees_ticket`) still decides.
The received time is in that index as hour buckets (`hotline_time_terms`), which GIN
answers exactly, so a window of received time needs no re-check of its rows (0052).
"""

from __future__ import annotations

import json
import unicodedata
from typing import TypeVar

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

FIELDS = ("summary", "detail", "address")
FTS_TABLE = "tickets_ticket_fts"
# The expressions that ask PostgreSQL's text index, the same in the index, the searches
# and the estimate (tickets.paging).
WORDS = '"tickets_ticket"."search_terms"::tsvector'
UNITS = '"tickets_ticket"."unit_terms"::tsvector'
TIMES = 'hotline_time_terms("tickets_ticket"."received_at")'
EXPRESSIONS = (WORDS, UNITS)
# The columns only the index reads (a list never shows them).
INDEX_COLUMNS = ("search_terms", "unit_terms")
# PostgreSQL's text index (issue 16): the bigrams, the units and the received time's
# hour buckets in one GIN index, so that a newest-first window (tickets.paging) of a
# unit's word search is one index scan that needs no re-check (decision 0052).
PG_INDEX = "tickets_ticket_search_times"
PG_COLUMNS = "(search_terms::tsvector), (unit_terms::tsvector), hotline_time_terms(received_at)"
PG_RETIRED = (
    "tickets_ticket_search_gin",  # decision 0005: the words
    "tickets_ticket_search_dated",  # 0038: the words and the received time (btree_gin)
    "tickets_ticket_search_units",  # 0051: words, units, received time (btree_gin)
    "tickets_ticket_search_words",  # 0051 without btree_gin
)
# A received time's buckets: the hour since 1970 (UTC), and the 2, 4, … 32,768 hours
# (3.7 years) that hold it, each a token ("t3x62377": the 62,377th 8-hour bucket).
LEVELS = 16
# One function that calls only PostgreSQL's own: pg_restore builds the index with an
# empty search_path, where a function of ours calling another would not be found.
_HOUR = "(floor(date_part('epoch', timezone('UTC', at)) / 3600)::bigint)"
_HOUR_TERMS = ", ".join(f"'t{k}x' || ({_HOUR} >> {k})" for k in range(LEVELS))
PG_FUNCTIONS = (
    "CREATE OR REPLACE FUNCTION hotline_time_terms(at timestamptz) RETURNS tsvector"
    " LANGUAGE sql IMMUTABLE PARALLEL SAFE AS"
    f" $$ SELECT array_to_tsvector(ARRAY[{_HOUR_TERMS}]) $$",
)
Tickets = TypeVar("Tickets", bound=QuerySet)


def _normal(text: str) -> str:
    # Full-width letters and digits (ＡＢＣ１２３) match their half-width forms.
    return unicodedata.normalize("NFKC", text).lower()


def _bigrams(text: str) -> list[str]:
    """The bigram tokens of `text`, in order of first appearance, without repeats."""
    tokens: dict[str, None] = {}
    previous = ""
    for char in _normal(text):
        if not char.isalnum():
            previous = ""
            continue
        if previous:
            tokens[f"k{ord(previous):x}g{ord(char):x}"] = None
        previous = char
    return list(tokens)


def terms(*texts: str) -> str:
    """The value of `Ticket.search_terms` for these fields (no bigram spans two fields)."""
    tokens: dict[str, None] = {}
    for text in texts:
        tokens.update(dict.fromkeys(_bigrams(text or "")))
    return " ".join(tokens)


def unit_token(unit_id: int) -> str:
    return f"u{unit_id}"


def with_units(unit_terms: str, unit_ids) -> str:
    """The value of `Ticket.unit_terms` once the ticket is given to these units too."""
    tokens = dict.fromkeys(unit_terms.split())
    tokens.update(dict.fromkeys(unit_token(pk) for pk in unit_ids))
    return " ".join(tokens)


def _unit_query(unit_ids, *, sqlite: bool) -> str:
    """One unit group as an index query: the ticket was given to one of these units."""
    if sqlite:
        return "(" + " OR ".join(f'"{unit_token(pk)}"' for pk in unit_ids) + ")"
    return " | ".join(unit_token(pk) for pk in unit_ids)


def conditions(sql: str, params) -> list[tuple[str, str]]:
    """The text index's conditions in a compiled search statement (`matching`): the
    expression and the query of each word and of each unit group; on SQLite the FTS
    table and the one MATCH of all of them."""
    ends = {f"{e} @@ ": e for e in EXPRESSIONS} | {f"{FTS_TABLE} MATCH ": FTS_TABLE}
    found = []
    for piece, param in zip(sql.split("%s"), params, strict=False):  # the last piece has none
        found += [(e, param) for end, e in ends.items() if piece.endswith(end)]
    return found


def fewest_candidates(sql: str, params, limit: int) -> float | None:
    """The fewest candidates any one of the text index's conditions in a compiled search
    statement gives (None: it has none): an upper bound of what they give together,
    whatever their correlation. SQLite counts each term's FTS matches up to `limit` + 1;
    PostgreSQL's planner estimates each condition from the index's statistics, in one
    EXPLAIN (nothing run)."""
    asked = conditions(sql, params)
    if not asked:
        return None
    queries = [query for _, query in asked]
    if connection.vendor != "postgresql":
        # Each term alone: FTS5 answers "a AND b" by reading both lists whole (小区's
        # 85,000 at 1,000,000 tickets: 7 ms), one term's first limit + 1 in a fraction.
        parts = [part for query in queries for part in query.split(" AND ")]
        each = ", ".join(
            f"(SELECT COUNT(*) FROM (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
            f" LIMIT {limit + 1:d}))"
            for _ in parts
        )
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {each}", parts)
            return float(min(cursor.fetchone()))
    each = " UNION ALL ".join(
        f"(SELECT 1 FROM tickets_ticket WHERE {expression} @@ %s::tsquery)"
        for expression, _ in asked
    )
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + each, queries)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    top = plan[0]["Plan"]
    scans = top["Plans"] if len(asked) > 1 else [top]
    return min(float(scan["Plan Rows"]) for scan in scans)


def hour(moment) -> int:
    """The hour since 1970 (UTC) that holds `moment`, as `hotline_time_terms` counts it."""
    return int(moment.timestamp() // 3600)


def time_terms(first: int, last: int) -> list[str]:
    """The fewest bucket tokens whose hours are exactly `first`…`last` (hour numbers): a
    bucket of 2^k hours where one starts and fits, the largest first; about two for each
    level, whatever the span (a year: 20 tokens)."""
    tokens = []
    while first <= last:
        k = 0
        while k + 1 < LEVELS and first % (2 << k) == 0 and first + (2 << k) - 1 <= last:
            k += 1
        tokens.append(f"t{k}x{first >> k}")
        first += 1 << k
    return tokens


def buckets(first: int, last: int) -> str:
    """The text index's query for the hours `first`…`last` (hour numbers): one of the
    fewest buckets that cover them (`time_terms`)."""
    return " | ".join(time_terms(first, last))


def in_buckets(tickets: Tickets, query: str) -> Tickets:
    """`tickets` received in the hours of `query` (`buckets`, PostgreSQL): one condition
    on the text index's time buckets, which the index answers exactly, as it answers
    the words, so that no row found is tested again (decision 0052)."""
    return tickets.filter(RawSQL(f"{TIMES} @@ %s::tsquery", [query], output_field=BooleanField()))


def time_in_index() -> bool:
    """Whether the text index holds the received time (PostgreSQL). There a window is
    answered inside the index, a word search's count is best read newest-first in
    windows (tickets.paging.capped_count), and reading the whole history means fetching
    and sorting every candidate. SQLite walks the received time instead: its count
    starts from the matches and stops at the cap, and its whole history stops at the
    page's last row."""
    return connection.vendor == "postgresql"


def _indexed(tickets: Tickets, tokens: list[str], units, walk: bool) -> Tickets:
    """`tickets` whose index terms hold every token, and one unit of each group."""
    if connection.vendor == "postgresql":
        # The same expressions as the index, so the planner can use it.
        tickets = tickets.filter(
            RawSQL(f"{WORDS} @@ %s::tsquery", [" & ".join(tokens)], output_field=BooleanField())
        )
        for unit_ids in units:
            tickets = tickets.filter(
                RawSQL(
                    f"{UNITS} @@ %s::tsquery",
                    [_unit_query(unit_ids, sqlite=False)],
                    output_field=BooleanField(),
                )
            )
        return tickets
    if connection.vendor == "sqlite":
        query = " AND ".join([f'"{token}"' for token in tokens])
        query = " AND ".join([query] + [_unit_query(ids, sqlite=True) for ids in units])
        matches = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
        if walk:
            # The unary + keeps SQLite from driving the query by the index's matches (it
            # would look up every one of them and sort): it walks the received_at index
            # and tests each row against the matches, stopping when the page is full.
            return tickets.filter(
                RawSQL(
                    f'+"tickets_ticket"."id" IN ({matches})', [query], output_field=BooleanField()
                )
            )
        return tickets.filter(pk__in=RawSQL(matches, [query]))
    return tickets


def matching(tickets: Tickets, text: str, *, walk: bool = False, units=()) -> Tickets:
    """`tickets` whose summary, detail or place contains every word of `text`. With
    `walk`, for reading a few rows in received order (tickets.paging): SQLite then walks
    the received_at index instead of starting from every match.

    `units`: groups of unit ids; the index keeps only tickets ever given to one unit of
    each group (`unit_terms`). A superset of what those units see (a ticket sent back
    keeps its token), so the caller still applies the rule that decides (decision
    0051). Only where a word has bigrams: units alone would be most of the index."""
    words = unicodedata.normalize("NFKC", text).split()
    each = [_bigrams(word) for word in words]
    if connection.vendor == "sqlite":
        # One MATCH for all the words: FTS5 intersects their lists itself, where a list
        # per word is built whole first (小区: 200,000 rows at 1,000,000 tickets). On
        # PostgreSQL each word stays a condition of its own, estimated alone
        # (tickets.paging._expected); one GIN scan answers them together.
        each = [[token for tokens in each for token in tokens]]
    each = [tokens for tokens in each if tokens]
    groups = [list(ids) for ids in units if ids]
    for n, tokens in enumerate(each):
        tickets = _indexed(tickets, tokens, groups if n == 0 else [], walk)
    for word in words:
        tickets = tickets.filter(
            Q(summary__icontains=word) | Q(detail__icontains=word) | Q(address__icontains=word)
        )
    return tickets


# --- the index itself ------------------------------------------------------------------

# SQLite's FTS row holds the ticket's bigrams and its unit tokens ("k…g…" and "u12":
# they cannot collide), so one MATCH narrows a unit's word search (decision 0052).
_FTS_TERMS = "{row}.search_terms || ' ' || {row}.unit_terms"
_SQLITE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(terms)",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_insert AFTER INSERT ON tickets_ticket BEGIN
        INSERT INTO {FTS_TABLE}(rowid, terms) VALUES (new.id, {_FTS_TERMS.format(row="new")});
        END""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_update
        AFTER UPDATE OF search_terms, unit_terms ON tickets_ticket BEGIN
        DELETE FROM {FTS_TABLE} WHERE rowid = old.id;
        INSERT INTO {FTS_TABLE}(rowid, terms) VALUES (new.id, {_FTS_TERMS.format(row="new")});
        END""",
    f"""CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_delete AFTER DELETE ON tickets_ticket BEGIN
        DELETE FROM {FTS_TABLE} WHERE rowid = old.id; END""",
]
_SQLITE_TRIGGERS = [f"{FTS_TABLE}_{event}" for event in ("insert", "update", "delete")]


def ensure_index(using=None) -> bool:
    """Create the database's text index if it is missing; True when it had to be built.

    Runs after every `migrate` (apps.py): on SQLite a later migration that rebuilds the
    tickets table drops its triggers, and this puts them back and refills the index.
    """
    from django.db import connections

    conn = connections[using or "default"]
    if conn.vendor == "postgresql":
        return _ensure_postgresql(conn)
    with conn.cursor() as cursor:
        if conn.vendor != "sqlite":
            return False
        # Present, and of this version: the update trigger fires on the unit tokens too.
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN (%s, %s, %s)"
            " AND (name <> %s OR sql LIKE '%%unit_terms ON%%')",
            [*_SQLITE_TRIGGERS, _SQLITE_TRIGGERS[1]],
        )
        if cursor.fetchone()[0] == len(_SQLITE_TRIGGERS):
            return False
        for name in _SQLITE_TRIGGERS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        for statement in _SQLITE:
            cursor.execute(statement)
        cursor.execute(f"DELETE FROM {FTS_TABLE}")
        cursor.execute(
            f"INSERT INTO {FTS_TABLE}(rowid, terms)"
            f" SELECT id, {_FTS_TERMS.format(row='tickets_ticket')} FROM tickets_ticket"
        )
        return True


def _ensure_postgresql(conn) -> bool:
    """The time-bucket functions, PG_INDEX if it is missing, the retired indexes dropped."""
    with conn.cursor() as cursor:
        for statement in PG_FUNCTIONS:
            cursor.execute(statement)
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'tickets_ticket'"
            " AND indexname = ANY(%s)",
            [[PG_INDEX, *PG_RETIRED]],
        )
        present = {row[0] for row in cursor.fetchall()}
        if PG_INDEX not in present:
            cursor.execute(f"CREATE INDEX {PG_INDEX} ON tickets_ticket USING gin ({PG_COLUMNS})")
        for name in present - {PG_INDEX}:
            cursor.execute(f"DROP INDEX {name}")
        return PG_INDEX not in present
