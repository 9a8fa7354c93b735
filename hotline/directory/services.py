"""Every write to the directory."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from hotline.accounts.permissions import Capability, require
from hotline.core.errors import DomainError
from hotline.core.models import audit
from hotline.directory import importing
from hotline.directory.models import Unit


class ImportRejected(DomainError):
    """The file had errors; nothing was imported. `errors` lists every one."""

    code = "import_rejected"

    def __init__(self, errors: list[importing.RowError]) -> None:
        super().__init__(
            _("Nothing was imported: the file has %(n)s error(s).") % {"n": len(errors)}
        )
        self.errors = errors


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int


def units_import(*, actor, file_name: str, content: bytes) -> ImportResult:
    """Create or update units from a file: all rows or none.

    Rows are matched to existing units by code. Every row is validated first and all
    errors are reported together; a single bad row imports nothing.
    """
    require(actor, Capability.MANAGE)
    try:
        table = importing.read_table(file_name, content)
    except importing.FileUnreadable as exc:
        raise ImportRejected([importing.RowError(0, "", str(exc))]) from None
    rows, errors = importing.parse_rows(table)
    if errors:
        raise ImportRejected(errors)

    with transaction.atomic():
        # Lock the directory's rows we compare against, so a concurrent import cannot
        # slip a conflicting parent change in between the check and the write.
        existing_units = {u.code: u for u in Unit.objects.select_for_update()}
        code_of = {u.pk: u.code for u in existing_units.values()}
        existing = [
            importing.ExistingUnit(u.code, u.kind, code_of.get(u.parent_id or 0, ""))
            for u in existing_units.values()
        ]
        errors = importing.check_tree(rows, existing)
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
