"""Every write of the reports app: schemes and their versions, publishing a period,
manual scores, and report documents (draft, edit, issue).

Each: keyword-only arguments, one transaction, a permission and state check, one audit
row (these are not ticket events: no ticket changes).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from hotline.accounts.permissions import Capability, require
from hotline.core import clock
from hotline.core.errors import Conflict, DomainError, NotFound
from hotline.core.models import audit
from hotline.core.numbering import next_in_series, official_number
from hotline.directory.models import Unit
from hotline.reports import documents, schemes, selectors
from hotline.reports import indicators as ind
from hotline.reports.models import ManualScore, Period, ReportDocument, Scheme, SchemeVersion


def _add_version(*, actor, scheme: Scheme, data: dict[str, Any], note: str) -> SchemeVersion:
    try:
        checked = schemes.from_dict({**data, "code": scheme.code})
    except schemes.SchemeError as exc:
        raise DomainError(str(exc), code="invalid_scheme") from None
    last = scheme.versions.aggregate(n=Max("number"))["n"] or 0
    version = SchemeVersion.objects.create(
        scheme=scheme,
        number=last + 1,
        data=schemes.to_dict(checked),
        note=note[:200],
        created_by=actor,
    )
    audit(
        kind="scheme_version_created",
        actor=actor,
        object_type="scheme",
        object_id=scheme.code,
        number=version.number,
        note=note,
    )
    return version


def scheme_install_preset(*, actor, code: str) -> SchemeVersion:
    """Install a preset (LX 六, SR 四(四), KM 22, ZS 36) as a scheme, version 1."""
    require(actor, Capability.MANAGE)
    preset = schemes.PRESETS.get(code)
    if preset is None:
        raise NotFound(
            gettext("No preset assessment scheme %(code)s") % {"code": code}, code="unknown_scheme"
        )
    with transaction.atomic():
        if Scheme.objects.filter(code=code).exists():
            raise Conflict(
                gettext(
                    "Assessment scheme %(code)s exists already; "
                    "change it on its page (a new version)"
                )
                % {"code": code}
            )
        scheme = Scheme.objects.create(code=code, name=preset.name)
        return _add_version(
            actor=actor,
            scheme=scheme,
            data=schemes.to_dict(preset),
            note=gettext("Created from the preset"),
        )


def scheme_copy(*, actor, source: Scheme, code: str, name: str) -> SchemeVersion:
    """An administrator copies a scheme under a new code, then edits the copy."""
    require(actor, Capability.MANAGE)
    code, name = code.strip().upper(), name.strip()
    if not code or not name:
        raise DomainError(gettext("Fill in the new scheme's code and name"))
    with transaction.atomic():
        if Scheme.objects.filter(code=code).exists():
            raise Conflict(gettext("Assessment scheme %(code)s exists already") % {"code": code})
        latest = source.versions.order_by("-number").first()
        if latest is None:
            raise NotFound(gettext("The source scheme has no version"))
        scheme = Scheme.objects.create(code=code, name=name)
        return _add_version(
            actor=actor,
            scheme=scheme,
            data={**latest.data, "name": name},
            note=gettext("Copied from %(code)s version %(number)s")
            % {"code": source.code, "number": latest.number},
        )


def scheme_version_create(
    *, actor, scheme: Scheme, data: dict[str, Any], note: str, based_on: int | None = None
) -> SchemeVersion:
    """Editing adds a version; published periods keep the version they used."""
    require(actor, Capability.MANAGE)
    if not note.strip():
        raise DomainError(gettext("Say why you make this change"))
    with transaction.atomic():
        locked = Scheme.objects.select_for_update().get(pk=scheme.pk)
        last = locked.versions.aggregate(n=Max("number"))["n"] or 0
        if based_on is not None and based_on != last:
            raise Conflict(
                gettext("Someone else changed the scheme to version %(last)s; reload and try again")
                % {"last": last}
            )
        return _add_version(actor=actor, scheme=locked, data=data, note=note)


def scheme_set_default(*, actor, scheme: Scheme) -> None:
    require(actor, Capability.MANAGE)
    with transaction.atomic():
        Scheme.objects.select_for_update().filter(is_default=True).update(is_default=False)
        Scheme.objects.filter(pk=scheme.pk).update(is_default=True)
        audit(kind="scheme_default_set", actor=actor, object_type="scheme", object_id=scheme.code)


def _check_period_kind(kind: str, version: SchemeVersion) -> None:
    """A period is one the scheme assesses (R-AS-1: its periods are part of the scheme)."""
    if kind not in schemes.PERIOD_LABELS:
        raise DomainError(gettext("Unknown assessment period"), code="unknown_period")
    if kind not in version.as_scheme().periods:
        raise DomainError(
            gettext("Scheme %(code)s has no %(period)s")
            % {"code": version.scheme.code, "period": schemes.PERIOD_LABELS[kind]},
            code="period_not_in_scheme",
        )


def period_publish(*, actor, kind: str, start: date, end: date, scheme_code: str = "") -> Period:
    """Publish a period's ranking: it keeps the scheme version and the figures it was
    published with; later scheme edits never change it (R-AS-1, R-FB-5)."""
    require(actor, Capability.SUPERVISE)
    span = selectors.parse_span(start, end)
    version = selectors.scheme_version(scheme_code or None)
    _check_period_kind(kind, version)
    with transaction.atomic():
        period, _created = Period.objects.select_for_update().get_or_create(
            kind=kind, start=span.start, end=span.end, defaults={"scheme_version": version}
        )
        if period.published_at is not None:
            raise Conflict(gettext("The results of this period are published already"))
        period.scheme_version = version
        result = selectors.assessment(span, scheme_code=version.scheme.code)
        period.result = {"rows": [_public_row(r) for r in result["rows"]]}
        period.published_at, period.published_by = clock.now(), actor
        period.save()
        audit(
            kind="period_published",
            actor=actor,
            object_type="period",
            object_id=period.pk,
            scheme=version.scheme.code,
            version=version.number,
        )
    return period


def _public_row(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": row["code"],
        "name": row["unit"].name,
        "group": row["group"],
        "rates": {k: [r.numerator, r.denominator] for k, r in row["rates"].items()},
        "satisfaction_score": [
            row["satisfaction_score"].numerator,
            row["satisfaction_score"].denominator,
        ],
        "unit_satisfaction_score": [
            row["unit_satisfaction_score"].numerator,
            row["unit_satisfaction_score"].denominator,
        ],
        "total": row["score"]["total"],
        "rank": row["rank"],
        # Kept so the assessment page and API show the period as published, whatever
        # later exclusions, late events or scheme edits do to the live figures.
        "counts": {k: v for k, v in row["counts"].items() if k in ind.METRIC_BY_KEY},
        "score": row["score"],
        "change": row["change"],
        "previous_rank": row["previous_rank"],
    }


def manual_score_set(
    *,
    actor,
    kind: str,
    start: date,
    end: date,
    unit: Unit,
    item: str,
    score: float,
    note: str = "",
) -> ManualScore:
    """Score a manual item for a unit; refused outside the scheme's range or once the
    period is published."""
    require(actor, Capability.SUPERVISE)
    span = selectors.parse_span(start, end)
    with transaction.atomic():
        version = selectors.scheme_version(None)
        period, _created = Period.objects.select_for_update().get_or_create(
            kind=kind, start=span.start, end=span.end, defaults={"scheme_version": version}
        )
        if period.published_at is not None:
            raise Conflict(
                gettext(
                    "The results of this period are published; manual scores can no longer change"
                )
            )
        _check_period_kind(kind, period.scheme_version)
        definition = period.scheme_version.as_scheme().manual_item(item)
        if definition is None:
            raise DomainError(
                gettext("The scheme has no such manual score item"), code="unknown_item"
            )
        if not 0 <= score <= definition.max_points:
            raise DomainError(
                gettext("The score of “%(label)s” must be between 0 and %(max)s")
                % {"label": definition.label, "max": f"{definition.max_points:g}"},
                code="score_out_of_range",
            )
        entry, _created = ManualScore.objects.update_or_create(
            period=period,
            unit=unit,
            item=item,
            defaults={"score": score, "note": note[:200], "by": actor, "at": clock.now()},
        )
        audit(
            kind="manual_score_set",
            actor=actor,
            object_type="period",
            object_id=period.pk,
            unit=unit.code,
            item=item,
            score=score,
        )
    return entry


def report_draft(*, actor, kind: str, start: date, end: date) -> ReportDocument:
    """A draft with the period's figures filled in (R-DA-2)."""
    require(actor, Capability.REPORTS)
    if kind not in ReportDocument.Kind.values:
        raise DomainError(gettext("Unknown kind of report"))
    span = selectors.parse_span(start, end)
    figures = documents.figures(span)
    title, body = documents.draft_text(kind, span, figures)
    with transaction.atomic():
        doc = ReportDocument.objects.create(
            kind=kind,
            title=title,
            body=body,
            start=span.start,
            end=span.end,
            figures=figures,
            created_by=actor,
        )
        audit(kind="report_drafted", actor=actor, object_type="report", object_id=doc.pk)
    return doc


def report_edit(
    *, actor, document: ReportDocument, title: str, body: str, version: int
) -> ReportDocument:
    require(actor, Capability.REPORTS)
    if not title.strip() or not body.strip():
        raise DomainError(gettext("The title and the text may not be empty"))
    with transaction.atomic():
        doc = ReportDocument.objects.select_for_update().get(pk=document.pk)
        if doc.issued_at is not None:
            raise Conflict(gettext("A report that has been issued can no longer change"))
        if doc.version != version:
            raise Conflict(gettext("Someone else changed the report; reload and try again"))
        doc.title, doc.body, doc.version = title.strip()[:200], body.strip(), doc.version + 1
        doc.save()
        audit(kind="report_edited", actor=actor, object_type="report", object_id=doc.pk)
    return doc


def report_issue(*, actor, document: ReportDocument) -> ReportDocument:
    """Number it by year (青溪12345简〔2026〕12号), with supervision's series code."""
    from hotline.supervision.ladder import document_prefix
    from hotline.supervision.models import DocumentCounter  # the one series per prefix

    require(actor, Capability.REPORTS)
    with transaction.atomic():
        doc = ReportDocument.objects.select_for_update().get(pk=document.pk)
        if doc.issued_at is not None:
            raise Conflict(gettext("The report has been issued already"))
        now = clock.now()
        year = timezone.localtime(now).year
        prefix = document_prefix(documents.NUMBER_WORDS[doc.kind])
        doc.sequence = next_in_series(DocumentCounter, prefix=prefix, year=year)
        doc.year = year
        doc.number = official_number(prefix, year, doc.sequence)
        doc.issued_at, doc.issued_by = now, actor
        doc.save()
        audit(
            kind="report_issued",
            actor=actor,
            object_type="report",
            object_id=doc.pk,
            number=doc.number,
        )
    return doc
