"""Reads whose shape never changes, compiled to SQL once per database (issue 14 item 11).

Every authenticated request loads its session and its user, and an intake request its
unit and the default deadline policy. Django builds each of these querysets and compiles
them to SQL again on every request: for the user (with its "has a confirmed device"
subqueries) that was a seventh of a dispatch's Python time, more than the read itself
(bench/README.md, "Compiled once"). A `FixedRead` asks Django once, per database alias,
for the SQL, its parameters and the column layout of the queryset it is given, then runs
that SQL with the new values and builds the rows as Django's own iterator does
(`Model.from_db`, the backends' converters, `select_related` populators, annotations).

The values that change are stand-ins: the queryset is built with a `Slot` where a value
goes, and the compiled parameters are searched for it. A slot must be a value Django
passes to the driver unchanged (an integer or a string: a primary key, a code, a key);
a slot it changes, drops or repeats is refused when the read is compiled, not guessed at.

`plan` and `Plan.build` are the two halves a `FixedRead` uses, also for a read compiled
once per request rather than per process: a word search's windows of received time are
one statement of the same branch repeated with a different value in one slot
(tickets.paging, decision 0053).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]

M = TypeVar("M", bound=Model)


class Slot:
    """Where a read's value goes: an integer or a string no real row uses."""

    INT = -7_230_411_905_113
    STR = "\x1ffixed-read-slot\x1f"


def slot_places(params, slots: dict[str, Any], what: str) -> dict[str, int]:
    """The index of each slot's stand-in among a compiled statement's `params`; refused
    (ImproperlyConfigured) unless each appears exactly once, unchanged."""
    places = {}
    for name, stand_in in slots.items():
        found = [i for i, p in enumerate(params) if type(p) is type(stand_in) and p == stand_in]
        if len(found) != 1:
            raise ImproperlyConfigured(
                f"{what}: the value {name!r} must appear once, unchanged, in the compiled "
                f"parameters ({len(found)} found)"
            )
        places[name] = found[0]
    return places


@dataclass(frozen=True)
class Plan:
    """A queryset of model rows compiled with stand-ins: its SQL, its parameters, where
    each slot's value goes, and how a fetched row becomes a model instance."""

    sql: str
    params: tuple[Any, ...]
    slots: dict[str, int]  # value name -> its index in params
    init_list: list[str]
    fields_start: int
    fields_end: int
    converters: dict[int, tuple[list[Callable], Any]]
    populators: list[Any]
    annotations: dict[str, int]

    def params_with(self, **values: Any) -> list[Any]:
        params = list(self.params)
        for name, index in self.slots.items():
            params[index] = values[name]
        return params

    def build(self, model: type[M], alias: str, fetched) -> list[M]:
        """The instances of the fetched rows, as Django's ModelIterable builds them."""
        connection = connections[alias]
        found = []
        for raw in fetched:
            row = list(raw)
            for index, (converters, expression) in self.converters.items():
                value = row[index]
                for convert in converters:
                    value = convert(value, expression, connection)
                row[index] = value
            obj = model.from_db(alias, self.init_list, row[self.fields_start : self.fields_end])
            for populator in self.populators:
                populator.populate(row, obj)
            for name, index in self.annotations.items():
                setattr(obj, name, row[index])
            found.append(obj)
        return found


def plan(queryset: QuerySet, alias: str, **slots: Any) -> Plan:
    """`queryset` (built with the slots' stand-ins) compiled for the database `alias`."""
    compiler = queryset.query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    select, klass_info = compiler.select, compiler.klass_info
    fields = klass_info["select_fields"]
    start, end = fields[0], fields[-1] + 1
    return Plan(
        sql=sql,
        params=tuple(params),
        slots=slot_places(params, slots, f"A read of {queryset.model.__name__}"),
        init_list=[column[0].target.attname for column in select[start:end]],
        fields_start=start,
        fields_end=end,
        converters=compiler.get_converters([s[0] for s in select[: compiler.col_count]]),
        populators=get_related_populators(klass_info, select, alias),
        annotations=dict(compiler.annotation_col_map or {}),
    )


class FixedRead(Generic[M]):
    """`build(**slots)` returns the queryset (no slicing beyond a fixed `[:n]`, no
    `.values()`); `rows(**values)` runs it with the values in the slots' places."""

    def __init__(self, model: type[M], build: Callable[..., QuerySet[M]], **slots: Any) -> None:
        self.model = model
        self._build = build
        self._slots = slots
        self._plans: dict[str, Plan] = {}

    def rows(self, **values: Any) -> list[M]:
        alias = router.db_for_read(self.model)
        if alias not in self._plans:
            self._plans[alias] = plan(self._build(**self._slots), alias, **self._slots)
        compiled = self._plans[alias]
        with connections[alias].cursor() as cursor:
            cursor.execute(compiled.sql, compiled.params_with(**values))
            fetched = cursor.fetchall()
        return compiled.build(self.model, alias, fetched)

    def first(self, **values: Any) -> M | None:
        found = self.rows(**values)
        return found[0] if found else None
