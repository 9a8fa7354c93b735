"""Importing entries from Excel (.xlsx) or CSV (R-KB): every error of the file listed
with its row, nothing imported on any error, like the directory imports (it reuses
`directory.tables.parse_table`). Imported entries are published: importing is the
hotline's own act of review.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from hotline.accounts.permissions import Capability, require
from hotline.core.errors import DomainError
from hotline.directory import tables
from hotline.directory.catalog_importing import topic_code_in
from hotline.directory.models import Topic, Unit
from hotline.directory.services import ImportRejected
from hotline.directory.tables import Column, RowError
from hotline.knowledge import services
from hotline.knowledge.models import Kind

COLUMNS: tuple[Column, ...] = (
    Column("title", "标题", required=True, max_length=200),
    Column("body", "正文", required=True, max_length=5000),
    Column("kind", "类型", required=True, max_length=16),
    Column("owner", "责任单位编码", required=True, max_length=32),
    Column("topic", "诉求分类编码", max_length=32),
    Column("keywords", "关键词", max_length=500),
    Column("effective", "生效日期", required=True, max_length=32),
    Column("expires", "失效日期", max_length=32),
    Column("review_by", "复核日期", max_length=32),
    Column("public_phone", "服务电话", max_length=64),
    Column("service_hours", "服务时间", max_length=100),
)
HEADER = {c.field: c.header for c in COLUMNS}
# Kinds may be written in Chinese or as their code.
KIND_NAMES = {
    "政策解读": Kind.POLICY,
    "问答": Kind.QA,
    "应答口径": Kind.SCRIPT,
    "办事指南": Kind.SERVICE,
    "职责": Kind.SERVICE,
    **{k.value: k for k in Kind},
}


@dataclass
class EntryRow:
    row: int
    kind: str
    owner: str
    topic: str
    content: services.Content


def _clean_row(index: int, raw: Mapping[str, str]) -> tuple[EntryRow | None, list[RowError]]:
    values, errors = tables.check_text(index, raw, COLUMNS)

    def fail(field_name: str, message: str) -> None:
        errors.append(RowError(index, HEADER[field_name], message))

    kind = KIND_NAMES.get(values.get("kind", ""), "")
    if values.get("kind") and not kind:
        fail("kind", _("Unknown kind: use 政策解读, 问答, 应答口径 or 办事指南."))
    if kind == Kind.WORKS:
        fail("kind", _("Works notices are entered on the page, with their times."))
    dates = {}
    for name in ("effective", "expires", "review_by"):
        text = values.get(name, "")
        dates[name] = tables.parse_date(text) if text else None
        if text and dates[name] is None:
            fail(name, _("Write a date as 2025-01-01."))
    if dates["effective"] and dates["expires"] and dates["expires"] < dates["effective"]:
        fail("expires", _("The expiry date is before the effective date."))
    if kind == Kind.SERVICE and not values.get("public_phone"):
        fail("public_phone", _("A service guide needs the unit's public service line."))
    body = values.get("body", "")
    try:
        services.sanitize_body(body)
    except DomainError as exc:
        fail("body", exc.message)
    if errors:
        return None, errors
    content = services.Content(
        title=values["title"],
        answer=body,
        keywords=values.get("keywords", ""),
        effective=dates["effective"],
        expires=dates["expires"],
        review_by=dates["review_by"],
        public_phone=values.get("public_phone", ""),
        service_hours=values.get("service_hours", ""),
    )
    return EntryRow(index, kind, values["owner"], values.get("topic", ""), content), []


def parse(file_name: str, content: bytes) -> tuple[list[EntryRow], list[RowError]]:
    try:
        table = tables.read_table(file_name, content)
    except tables.FileUnreadable as exc:
        return [], [RowError(0, "", str(exc))]
    return tables.parse_table(table, COLUMNS, _clean_row)


def entries_import(*, actor, file_name: str, content: bytes) -> int:
    """Create and publish one entry per row: all or none. Returns how many."""
    require(actor, Capability.REVIEW_KNOWLEDGE)
    rows, errors = parse(file_name, content)
    units = {u.code: u for u in Unit.objects.filter(active=True)}
    topics = {t.code: t for t in Topic.objects.all()}
    for row in rows:
        if row.owner not in units:
            errors.append(
                RowError(
                    row.row,
                    HEADER["owner"],
                    _("No unit has the code %(code)s.") % {"code": row.owner},
                )
            )
        if row.topic:
            code = topic_code_in(row.topic, topics.keys())
            if code is None:
                errors.append(
                    RowError(
                        row.row,
                        HEADER["topic"],
                        _("No topic has the code %(code)s.") % {"code": row.topic},
                    )
                )
            else:
                row.content.topic = topics[code]
    if errors or not rows:
        raise ImportRejected(
            sorted(errors, key=lambda e: e.row) or [RowError(0, "", _("The file is empty."))]
        )
    with transaction.atomic():
        for row in rows:
            entry = services.entry_create(
                actor=actor, kind=row.kind, owner=units[row.owner], content=row.content, submit=True
            )
            services.entry_approve(actor=actor, entry=entry)
    return len(rows)


def template_csv() -> bytes:
    return tables.template_csv(
        [c.header for c in COLUMNS],
        [
            "住房公积金提取条件",
            "职工购买、建造、翻建、大修自住住房的，可以提取住房公积金账户存储余额。",
            "问答",
            "QX-ZJJ",
            "",
            "公积金、提取",
            "2025-01-01",
            "",
            "2026-01-01",
            "",
            "",
        ],
    )
