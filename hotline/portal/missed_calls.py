"""Missed calls (漏话回拨): the telephone system's records imported (CSV/Excel file or
JSON), a call-back list for operators with each attempt's outcome, and the share called
back within N minutes for the supervisor board."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from hotline.accounts.permissions import Capability, require
from hotline.channels import text
from hotline.core import clock
from hotline.core.errors import Conflict, DomainError
from hotline.core.models import audit
from hotline.directory.tables import Column, RowError, check_text, parse_table, read_table
from hotline.portal.models import CallBack, MissedCall

COLUMNS = (
    Column("external_id", "呼叫编号", required=True, max_length=64),
    Column("phone", "主叫号码", required=True, max_length=32),
    Column("called_at", "来电时间", required=True, max_length=40),
    Column("line", "中继线路", max_length=32),
)
GIVE_UP_AFTER = 3  # unanswered attempts before the call is given up
WITHIN_MINUTES = 30  # the board's call-back goal


def _row(index: int, raw: Mapping[str, str]) -> tuple[dict[str, Any] | None, list[RowError]]:
    texts, errors = check_text(index, raw, COLUMNS)
    if errors:
        return None, errors
    values: dict[str, Any] = dict(texts)
    try:
        values["phone"] = text.check_phone(values["phone"], required=True)
        for key in ("external_id", "line"):
            values[key] = text.clean(values.get(key, ""), label=key, max_length=64)
    except DomainError as exc:
        return None, [RowError(index, "", exc.message)]
    moment = parse_datetime(values["called_at"].replace("/", "-"))
    if moment is None:
        return None, [
            RowError(index, _("call time"), _("The time should look like 2026-12-04 09:30:00"))
        ]
    values["called_at"] = moment if timezone.is_aware(moment) else timezone.make_aware(moment)
    return values, []


def parse_file(name: str, content: bytes) -> tuple[list[dict[str, Any]], list[RowError]]:
    return parse_table(read_table(name, content), COLUMNS, _row)


def parse_json(records: object) -> tuple[list[dict[str, Any]], list[RowError]]:
    """The same checks for the telephone system's JSON list of records."""
    if not isinstance(records, list) or not records or len(records) > 20000:
        return [], [RowError(0, "", _("Expected a list of 1 to 20000 records"))]
    rows, errors = [], []
    for index, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            errors.append(RowError(index, "", _("Each record should be an object")))
            continue
        raw = {c.field: record.get(c.field) for c in COLUMNS}
        if not all(v is None or isinstance(v, str) for v in raw.values()):
            errors.append(RowError(index, "", _("The fields should be text")))
            continue
        row, row_errors = _row(index, {k: v or "" for k, v in raw.items()})
        errors += row_errors
        if row is not None:
            rows.append(row)
    return rows, errors


def missed_calls_import(*, actor, rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Store the records all together; one already imported (same call id) is skipped,
    so the same export can be sent twice."""
    require(actor, Capability.INTAKE)
    ids = [r["external_id"] for r in rows]
    with transaction.atomic():
        known = set(
            MissedCall.objects.filter(external_id__in=ids).values_list("external_id", flat=True)
        )
        fresh = {r["external_id"]: r for r in rows if r["external_id"] not in known}
        MissedCall.objects.bulk_create(MissedCall(**r) for r in fresh.values())
        audit(kind="missed_calls_imported", actor=actor, created=len(fresh), skipped=len(known))
    return {"created": len(fresh), "skipped": len(rows) - len(fresh)}


def callback_record(*, actor, missed_call: MissedCall, outcome: str, note: str = "") -> CallBack:
    """One call-back attempt; reached closes it, the third failed attempt gives it up."""
    require(actor, Capability.INTAKE)
    if outcome not in CallBack.Outcome.values:
        raise DomainError(_("Please choose the call-back outcome"), code="invalid")
    note = text.clean(note, label=_("call-back note"), max_length=200)
    with transaction.atomic():
        call = MissedCall.objects.select_for_update().get(pk=missed_call.pk)
        if call.state != MissedCall.State.WAITING:
            raise Conflict(_("This call has already been called back"))
        attempt = CallBack.objects.create(missed_call=call, by=actor, outcome=outcome, note=note)
        call.attempts += 1
        if outcome == CallBack.Outcome.REACHED:
            call.state, call.called_back_at = MissedCall.State.REACHED, attempt.at
        elif outcome == CallBack.Outcome.WRONG_NUMBER or call.attempts >= GIVE_UP_AFTER:
            call.state = MissedCall.State.GIVEN_UP
        call.save(update_fields=["attempts", "state", "called_back_at"])
        audit(
            kind="missed_call_called_back",
            actor=actor,
            object_type="missed_call",
            object_id=call.pk,
            outcome=outcome,
        )
    return attempt


@dataclass(frozen=True)
class Share:
    total: int
    within: int
    waiting: int
    minutes: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.within / self.total, 1) if self.total else None


def callback_share(*, since: datetime | None = None, minutes: int = WITHIN_MINUTES) -> Share:
    """Of the missed calls since `since` (default: the last 7 days), how many were called
    back and reached within `minutes`."""
    since = since or clock.now() - timedelta(days=7)
    calls = list(
        MissedCall.objects.filter(called_at__gte=since).values_list(
            "called_at", "called_back_at", "state"
        )
    )
    within = sum(
        1 for at, back, _ in calls if back is not None and back - at <= timedelta(minutes=minutes)
    )
    waiting = sum(1 for *_, state in calls if state == MissedCall.State.WAITING)
    return Share(len(calls), within, waiting, minutes)
