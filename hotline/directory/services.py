"""Every write to the directory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

from django.db import transaction
from django.utils.translation import gettext as _

from hotline.accounts.permissions import Capability, require
from hotline.core.errors import DomainError
from hotline.core.models import audit
from hotline.directory import catalog_importing, importing, tables, topic_importing, topic_reading
from hotline.directory.models import CatalogItem, Topic, Unit


class ImportRejected(DomainError):
    """The file had errors; nothing was imported. `errors` lists every one."""

    code = "import_rejected"

    def __init__(self, errors: list[tables.RowError]) -> None:
        super().__init__(
            _("Nothing was imported: the file has %(n)s error(s).") % {"n": len(errors)}
        )
        self.errors = errors


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int = 0  # rows that matched a stored row with the same values
    closed: int = 0  # earlier catalog versions closed by a later one


def _read_table(file_name: str, content: bytes) -> list[list[str]]:
    try:
        return tables.read_table(file_name, content)
    except tables.FileUnreadable as exc:
        raise ImportRejected([tables.RowError(0, "", str(exc))]) from None


def units_import(*, actor, file_name: str, content: bytes) -> ImportResult:
    """Create or update units from a file: all rows or none.

    Rows are matched to existing units by code. Every row is validated first and all
    errors are reported together; a single bad row imports nothing.
    """
    require(actor, Capability.MANAGE)
    table = _read_table(file_name, content)
    rows, row_errors = importing.parse_rows(table)
    if row_errors and not rows:
        raise ImportRejected(row_errors)  # the file itself, or every row, is wrong
    rejected = importing.file_codes(table) - {row.code for row in rows}

    with transaction.atomic():
        # Lock the directory's rows we compare against, so a concurrent import cannot
        # slip a conflicting parent change in between the check and the write.
        existing_units = {u.code: u for u in Unit.objects.select_for_update()}
        code_of = {u.pk: u.code for u in existing_units.values()}
        existing = [
            importing.ExistingUnit(u.code, u.kind, code_of.get(u.parent_id or 0, ""))
            for u in existing_units.values()
        ]
        # Every error of the file in one pass: the rows' own and those across rows.
        errors = _by_row(row_errors + importing.check_tree(rows, existing, pending=rejected))
        if errors:
            raise ImportRejected(errors)

        created = updated = 0
        for row in importing.parents_first(rows):
            values = dict(row.values)
            parent_code = str(values.pop("parent_code") or "")
            values.pop("code")
            values["parent"] = existing_units[parent_code] if parent_code else None
            unit = existing_units.get(row.code)
            if unit is None:
                unit = Unit.objects.create(code=row.code, **values)
                created += 1
            else:
                for name, value in values.items():
                    setattr(unit, name, value)
                unit.save()
                updated += 1
            existing_units[row.code] = unit
        audit(
            kind="units_imported",
            actor=actor,
            object_type="file",
            object_id=file_name[:64],
            created=created,
            updated=updated,
        )
    return ImportResult(created=created, updated=updated)


def topics_import(*, actor, file_name: str, content: bytes) -> ImportResult:
    """Create or update the topic tree (R-IN-3) from a file: all rows or none.

    The layout is told from the header (see `topic_importing`). Topics are matched by
    code; a file without codes reuses the codes of the stored topics with the same path.
    """
    require(actor, Capability.MANAGE)
    parsed, errors = topic_reading.read_topics(_read_table(file_name, content))
    if parsed is None:  # the file or its header is unusable
        raise ImportRejected(errors)

    with transaction.atomic():
        stored = {t.code: t for t in Topic.objects.select_for_update()}
        code_of = {t.pk: t.code for t in stored.values()}
        existing = [
            topic_importing.ExistingTopic(
                t.code, t.name, t.level, code_of.get(t.parent_id or 0, "")
            )
            for t in stored.values()
        ]
        # The rows that passed their own checks are checked across rows and against the
        # stored tree too, so one report lists every error.
        specs, tree_errors = topic_importing.resolve_topics(parsed, existing)
        if errors or tree_errors:
            raise ImportRejected(_by_row(errors + tree_errors))

        created = updated = unchanged = 0
        for spec in specs:  # parents come first
            values = {
                "name": spec.name,
                "level": spec.level,
                "parent": stored[spec.parent_code] if spec.parent_code else None,
                "sort_order": spec.sort_order,
            }
            if spec.description is not None:
                values["description"] = spec.description
            topic = stored.get(spec.code)
            if topic is None:
                stored[spec.code] = Topic.objects.create(code=spec.code, **values)
                created += 1
            elif _assign(topic, values):
                topic.save()
                updated += 1
            else:
                unchanged += 1
        audit(
            kind="topics_imported",
            actor=actor,
            object_type="file",
            object_id=file_name[:64],
            layout=parsed.layout,
            created=created,
            updated=updated,
            unchanged=unchanged,
        )
    return ImportResult(created=created, updated=updated, unchanged=unchanged)


def _by_row(errors: list[tables.RowError]) -> list[tables.RowError]:
    """Errors in file order; within a row, in the order they were found."""
    return sorted(errors, key=lambda e: e.row)


def _assign(obj, values: dict[str, object]) -> bool:
    """Set the values on the object; whether anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def catalog_import(*, actor, file_name: str, content: bytes) -> ImportResult:
    """Create or update versions of the dispatch catalog (R-HM-9) from a file: all or none.

    A row is one version: matched by (code, effective_from) and updated, or added. After
    the rows are written, each code's versions are put in date order and every version
    followed by a later one ends, at the latest, the day before that one starts. A
    residents'/villagers' committee is never the handling unit (ZS 6, R-HM-11).
    """
    require(actor, Capability.MANAGE)
    rows, errors = catalog_importing.parse_rows(_read_table(file_name, content))
    if errors and not rows:
        raise ImportRejected(errors)

    with transaction.atomic():
        units = {u.code: u for u in Unit.objects.all()}
        topics = {t.code: t for t in Topic.objects.all()}
        # The rows that passed their own checks are checked against the directory too,
        # so one report lists every error.
        errors += catalog_importing.check_rows(
            rows,
            units={
                code: catalog_importing.UnitInfo(u.code, u.name, u.kind, u.active)
                for code, u in units.items()
            },
            topic_codes=topics.keys(),
        )
        if errors:
            raise ImportRejected(_by_row(errors))
        codes = {row.code for row in rows}
        stored = {
            (item.code, item.effective_from): item
            for item in CatalogItem.objects.select_for_update().filter(code__in=codes)
        }

        # Set every row's values in memory, end superseded versions, then save what
        # changed: importing the same file twice changes nothing.
        before = {key: _catalog_state(item) for key, item in stored.items()}
        in_file: set[tuple[str, date]] = set()
        for row in rows:
            key = (row.code, row.effective_from)
            item = stored.get(key) or CatalogItem(code=row.code, effective_from=row.effective_from)
            item.matter = row.matter
            item.keywords = row.keywords
            item.topic = topics[row.topic_code] if row.topic_code else None
            item.legal_basis = row.legal_basis
            item.unit = units[row.unit_code]
            item.deadline_days = row.deadline_days
            item.internal_office = row.internal_office
            item.effective_to = row.effective_to
            stored[key] = item
            in_file.add(key)
        close_superseded(list(stored.values()))

        created = updated = unchanged = closed = 0
        for key, item in stored.items():
            if key not in before:
                item.save()
                created += 1
            elif _catalog_state(item) == before[key]:
                if key in in_file:
                    unchanged += 1
            else:
                item.save()
                if key in in_file:
                    updated += 1
                else:
                    closed += 1
        audit(
            kind="catalog_imported",
            actor=actor,
            object_type="file",
            object_id=file_name[:64],
            created=created,
            updated=updated,
            unchanged=unchanged,
            closed=closed,
        )
    return ImportResult(created=created, updated=updated, unchanged=unchanged, closed=closed)


def catalog_item_save(*, actor, item: CatalogItem) -> CatalogItem:
    """Save one catalog version edited by hand (the admin site), keeping the versions of
    its code in order: an earlier version ends the day before this one starts (R-HM-9).
    Refuses a residents'/villagers' committee as the handling unit (ZS 6)."""
    require(actor, Capability.MANAGE)
    item.full_clean()
    with transaction.atomic():
        others = list(
            CatalogItem.objects.select_for_update().filter(code=item.code).exclude(pk=item.pk)
        )
        created = item.pk is None
        item.save()
        for other in close_superseded([*others, item]):
            other.save(update_fields=["effective_to"])
        audit(
            kind="catalog_item_created" if created else "catalog_item_changed",
            actor=actor,
            object_type="catalog_item",
            object_id=item.pk,
            code=item.code,
            effective_from=item.effective_from.isoformat(),
        )
    return item


def _catalog_state(item: CatalogItem) -> tuple[object, ...]:
    return (
        item.matter,
        item.keywords,
        item.topic_id,
        item.legal_basis,
        item.unit_id,
        item.deadline_days,
        item.internal_office,
        item.effective_to,
    )


def close_superseded(versions: list[CatalogItem]) -> list[CatalogItem]:
    """End each version, at the latest, the day before the next version of its code
    starts (R-HM-9). Returns the versions whose end date changed (not saved)."""
    by_code: dict[str, list[CatalogItem]] = {}
    for item in versions:
        by_code.setdefault(item.code, []).append(item)
    changed: list[CatalogItem] = []
    for items in by_code.values():
        items.sort(key=lambda i: i.effective_from)
        for earlier, later in pairwise(items):
            last_day = later.effective_from - timedelta(days=1)
            if earlier.effective_to is None or earlier.effective_to > last_day:
                earlier.effective_to = last_day
                changed.append(earlier)
    return changed
