"""Page × role × object matrix (issue 14 item 9), in the manner of NetBox's ViewTestCases.

Every URL pattern of the project is in MATRIX, a data table: for each role (one user of
each, from the demo city) and each object the page is about (a ticket of the unit's own,
one of another unit, a confidential one of its own), the status a GET must answer, and
no caller's phone or name where the role must not see it (none at all on a public page),
nor, to a unit, the title of another unit's ticket or knowledge draft. A URL pattern
missing from the table fails `test_every_url_pattern_is_in_the_matrix`: a new page, API
route or app adds its rows here (the apps merged later add a block at the end).

The world is built once for the module (one demo city, three tickets, a document, an
attachment; for the merged apps two knowledge drafts, a report, an online request); each
role × URL check is a GET through the test client.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from hotline.accounts.models import Role, User
from hotline.accounts.permissions import Capability, can
from hotline.directory.models import CatalogItem, Unit, UnitKind

C = Capability
UNIT_ROLES = {Role.UNIT_CLERK, Role.UNIT_LEADER}
PHONES = {"own": "13911110001", "other": "13911110002", "confidential": "13911110003"}
NAMES = {kind: f"市民{kind}" for kind in PHONES}
# The other unit's ticket and knowledge draft are titled so; a unit never sees either.
OTHER_UNIT_TEXT = "矩阵测试 other"

# A rule answers the expected status for (user, object kind); object kind is None for a
# page about no object in particular.
Rule = Callable[[User, str | None], int | set[int]]


def cap(*caps: Capability, no: int = 403) -> Rule:
    """200 for a user with one of the capabilities, `no` for the others."""
    return lambda u, _o: 200 if any(can(u, c) for c in caps) else no


def every(status: int | set[int]) -> Rule:
    return lambda _u, _o: status


def post_only(*caps: Capability) -> Rule:
    """A write: GET is 405 for those allowed to POST, 403 for the others (the capability
    is checked first) — or 405 for everybody when the method is checked first."""
    return lambda u, _o: 405 if not caps or any(can(u, c) for c in caps) else {403, 405}


def scoped(*caps: Capability, missing: int = 404) -> Rule:
    """About one ticket's object: 200 when the user's capability allows the page and the
    user sees the ticket; a unit asking for another unit's object gets `missing` (the
    same answer as for an object that does not exist)."""

    def rule(u: User, obj: str | None) -> int:
        if caps and not any(can(u, c) for c in caps):
            return 403
        if obj == "other" and not can(u, C.VIEW_ALL_TICKETS):
            return missing
        return 200

    return rule


def documents(u: User, obj: str | None) -> int:
    """Supervisors and the addressed unit (the own ticket's letter); nobody else."""
    if can(u, C.SUPERVISE):
        return 200
    if u.role in UNIT_ROLES and obj == "own":
        return 200
    return 404


@dataclass
class Entry:
    path: str  # with {own}, {other}, {confidential}, {assignment:own}, {document:own} …
    rule: Rule
    objects: tuple[str, ...] = ()  # the object kinds to fill the path with
    query: dict[str, str] = field(default_factory=dict)
    public: bool = False  # a page for citizens: the same for everyone, no caller's identity


OBJ3 = ("own", "other", "confidential")
PERIOD = {"from": "2026-11-01", "to": "2026-11-30"}
KB2 = ("own", "other")  # knowledge entries: a draft of the own unit, one of another unit

MATRIX: dict[str, Entry] = {
    # core, sections and the workbench
    "home": Entry("/", every(302)),
    "health": Entry("/health/", every(200)),
    "section-intake": Entry("/intake/", cap(C.INTAKE)),
    "section-dispatch": Entry("/dispatch/", cap(C.DISPATCH)),
    "section-inbox": Entry("/inbox/", cap(C.HANDLE)),
    "section-visits": Entry("/visits/", cap(C.VISIT)),
    "section-supervision": Entry("/supervision/", cap(C.SUPERVISE)),
    "section-reports": Entry("/reports/", cap(C.REPORTS)),
    "section-manage": Entry("/manage/", cap(C.MANAGE)),
    "workbench:intake-history": Entry(
        "/workbench/intake/history/", cap(C.INTAKE), query={"phone": PHONES["own"]}
    ),
    "workbench:duplicates": Entry("/workbench/intake/duplicates/", cap(C.INTAKE, C.DISPATCH)),
    "workbench:suggest": Entry("/workbench/suggest/", cap(C.INTAKE, C.DISPATCH)),
    "workbench:sheet": Entry(
        "/workbench/assignments/{assignment}/sheet/", scoped(C.HANDLE, C.DISPATCH), OBJ3
    ),
    "access-log": Entry("/access-log/", cap(C.VIEW_ACCESS_LOG)),
    "access-log-export": Entry("/access-log/export.xlsx", cap(C.VIEW_ACCESS_LOG)),
    # accounts
    "login": Entry("/login/", every(302)),
    "logout": Entry("/logout/", every(405)),
    "admin-login": Entry("/admin/login/", lambda u, _o: 302 if u.is_staff else 403),
    "password-change": Entry("/account/password/", every(200)),
    "otp-verify": Entry("/account/verify/", every(200)),
    "otp-enrol": Entry("/account/two-factor/", every(200)),
    "set_language": Entry("/i18n/setlang/", every({302, 405})),
    # directory
    "directory:unit-list": Entry("/directory/", cap(C.VIEW_DIRECTORY)),
    "directory:unit-import": Entry("/directory/import/", cap(C.MANAGE)),
    "directory:unit-import-template": Entry("/directory/import/template.csv", cap(C.MANAGE)),
    "directory:unit-import-template-xlsx": Entry("/directory/import/template.xlsx", cap(C.MANAGE)),
    "directory:unit-detail": Entry("/directory/units/{unit}/", cap(C.VIEW_DIRECTORY)),
    "directory:topic-list": Entry("/directory/topics/", cap(C.VIEW_DIRECTORY)),
    "directory:topic-import": Entry("/directory/topics/import/", cap(C.MANAGE)),
    "directory:topic-import-template": Entry(
        "/directory/topics/import/template.csv", cap(C.MANAGE)
    ),
    "directory:catalog-list": Entry("/directory/catalog/", cap(C.VIEW_DIRECTORY)),
    "directory:catalog-suggest": Entry(
        "/directory/catalog/suggest/", cap(C.VIEW_DIRECTORY), query={"text": "路灯"}
    ),
    "directory:catalog-import": Entry("/directory/catalog/import/", cap(C.MANAGE)),
    "directory:catalog-import-template": Entry(
        "/directory/catalog/import/template.csv", cap(C.MANAGE)
    ),
    "directory:catalog-detail": Entry("/directory/catalog/items/{catalog}/", cap(C.VIEW_DIRECTORY)),
    # deadlines
    "sla:calendar": Entry("/sla/calendar/", cap(C.VIEW_POLICIES)),
    "sla:calendar-year": Entry("/sla/calendar/2026/", cap(C.VIEW_POLICIES)),
    "sla:official-year": Entry("/sla/calendar/2026/official/", cap(C.MANAGE)),
    "sla:override-remove": Entry("/sla/calendar/overrides/2026-10-01/remove/", post_only(C.MANAGE)),
    "sla:policy-list": Entry("/sla/policies/", cap(C.VIEW_POLICIES)),
    "sla:policy-detail": Entry("/sla/policies/{policy}/", cap(C.VIEW_POLICIES)),
    "sla:policy-edit": Entry("/sla/policies/{policy}/edit/", cap(C.MANAGE)),
    "sla:policy-install": Entry("/sla/policies/{policy}/install/", post_only(C.MANAGE)),
    "sla:policy-default": Entry("/sla/policies/{policy}/default/", post_only(C.MANAGE)),
    "sla:calculator": Entry("/sla/calculator/", cap(C.VIEW_POLICIES)),
    # tickets
    "tickets:list": Entry("/tickets/", cap(C.VIEW_POLICIES)),
    "tickets:export": Entry("/tickets/export.xlsx", cap(C.VIEW_POLICIES)),
    "tickets:detail": Entry("/tickets/{ticket}/", scoped(), OBJ3),
    "tickets:attachment": Entry("/tickets/{ticket}/files/{attachment}/", scoped(), OBJ3),
    "intelligence:hotspots": Entry("/intelligence/hotspots/", cap(C.REPORTS)),
    # notifications
    "notifications:inbox": Entry("/notifications/", every(200)),
    "notifications:read": Entry("/notifications/1/read/", post_only()),
    "notifications:log": Entry("/notifications/log/", cap(C.SUPERVISE), query={"state": "pending"}),
    # supervision
    "supervision:remind": Entry("/supervision/remind/{assignment}/", post_only(), ("own",)),
    "supervision:issue": Entry("/supervision/issue/{assignment}/", post_only(), ("own",)),
    "supervision:documents": Entry("/supervision/documents/", cap(C.SUPERVISE)),
    "supervision:board-xlsx": Entry("/supervision/board.xlsx", cap(C.SUPERVISE)),
    "supervision:document": Entry(
        "/supervision/documents/{document}.pdf", documents, ("own", "other")
    ),
    "supervision:criticism": Entry("/supervision/criticism/", cap(C.REPORTS)),
    "supervision:bulletin": Entry("/supervision/bulletin/", cap(C.REPORTS)),
    "supervision:bulletin-xlsx": Entry("/supervision/bulletin/2026-11.xlsx", cap(C.REPORTS)),
    "supervision:bulletin-pdf": Entry("/supervision/bulletin/2026-11.pdf", cap(C.REPORTS)),
    "supervision:meetings": Entry("/supervision/meetings/", cap(C.SUPERVISE, C.RECORD_MEETINGS)),
    "supervision:meeting-create": Entry("/supervision/meetings/new/", cap(C.RECORD_MEETINGS)),
    # the JSON API
    "api:openapi-json": Entry("/api/openapi.json", every(200)),
    "api:openapi-view": Entry("/api/docs", every(200)),
    "api:api-root": Entry("/api/", every(404)),
    "api:me": Entry("/api/me", every(200)),
    "api:unit_list": Entry("/api/units", every(200)),
    "api:unit_detail": Entry("/api/units/{unit}", every(200)),
    "api:ticket_list": Entry("/api/tickets", every(200)),
    "api:ticket_create": Entry("/api/tickets", every(200)),  # GET is the list
    "api:ticket_bulk_create": Entry("/api/tickets/bulk", every(405)),  # POST only
    "api:ticket_detail": Entry("/api/tickets/{ticket}", scoped(), OBJ3),
    **{
        f"api:{name}": Entry(path, every(405), objects)
        for name, path, objects in [
            ("ticket_dispatch", "/api/tickets/{ticket}/dispatch", ("own",)),
            ("assignment_sign", "/api/tickets/assignments/{assignment}/sign", ("own",)),
            ("send_back", "/api/tickets/assignments/{assignment}/send-back", ("own",)),
            ("extension", "/api/tickets/assignments/{assignment}/extension", ("own",)),
            ("assist_report", "/api/tickets/assignments/{assignment}/assist-report", ("own",)),
            ("reply_submit", "/api/tickets/assignments/{assignment}/reply", ("own",)),
            ("reply_decide", "/api/tickets/replies/1/decide", ()),
            ("request_decide", "/api/tickets/requests/1/decide", ()),
            ("completion", "/api/tickets/{ticket}/completion", ("own",)),
            ("visit", "/api/tickets/{ticket}/visit", ("own",)),
            ("redo", "/api/tickets/{ticket}/redo", ("own",)),
            ("screen", "/api/tickets/{ticket}/screen", ("own",)),
            ("merge", "/api/tickets/{ticket}/merge", ("own",)),
            ("annotate", "/api/tickets/{ticket}/annotate", ("own",)),
        ]
    },
    # Django's admin: every admin URL (one entry per family; a sample is requested)
    "admin:*": Entry("/admin/", lambda u, _o: 200 if u.is_staff else 302),
    "admin:citizens": Entry("/admin/tickets/citizen/", lambda u, _o: 200 if u.is_staff else 302),
    "admin:notifications": Entry(
        "/admin/notifications/notification/", lambda u, _o: 200 if u.is_staff else 302
    ),
    # workbench, tickets, notifications and intelligence (added with the merged branches)
    "workbench:reply-check": Entry(
        "/workbench/inbox/reply-check/", scoped(C.HANDLE), OBJ3, query={"a": "{assignment}"}
    ),
    "workbench:unit-followup": Entry(
        "/workbench/assignments/{assignment}/follow-up/", scoped(C.HANDLE), OBJ3
    ),
    "tickets:attachment-upload": Entry(
        "/tickets/{ticket}/files/", post_only(C.VIEW_POLICIES), ("own",)
    ),
    "notifications:read-all": Entry("/notifications/read-all/", post_only()),
    "notifications:digest": Entry("/notifications/digest/", post_only()),
    "intelligence:fill": Entry("/intelligence/fill/", cap(C.INTAKE), query={"text": "路灯不亮"}),
    "intelligence:kind-review": Entry("/intelligence/kind-review/", cap(C.SUPERVISE, C.REPORTS)),
    "intelligence:model": Entry("/intelligence/model/", cap(C.REPORTS)),
    # supervision: staff performance, quality sampling, carry-overs
    "supervision:staff": Entry("/supervision/staff/", cap(C.REPORTS, C.SUPERVISE)),
    "supervision:quality": Entry("/supervision/quality/", cap(C.SUPERVISE)),
    "supervision:quality-sample": Entry("/supervision/quality/sample/", post_only(C.SUPERVISE)),
    "supervision:quality-score": Entry("/supervision/quality/1/", post_only(C.SUPERVISE)),
    "supervision:carry-overs": Entry("/supervision/carry-overs/", cap(C.SUPERVISE, C.DISPATCH)),
    # the JSON API of the merged apps (follow-up, knowledge, reports)
    "api:attachment_upload": Entry("/api/tickets/{ticket}/attachments", every(405), ("own",)),
    "api:contact": Entry("/api/follow-up/assignments/{assignment}/contacts", every(405), ("own",)),
    "api:exclusion": Entry(
        "/api/follow-up/assignments/{assignment}/exclusion", every(405), ("own",)
    ),
    "api:carry_over": Entry(
        "/api/follow-up/assignments/{assignment}/carry-over", every(405), ("own",)
    ),
    "api:visit_failure": Entry(
        "/api/follow-up/tickets/{ticket}/visit-failure", every(405), ("own",)
    ),
    "api:assessment": Entry("/api/assessment", cap(C.VIEW_POLICIES), query=PERIOD),
    "api:intake": Entry("/api/stats/intake", cap(C.VIEW_POLICIES), query=PERIOD),
    "api:search": Entry("/api/knowledge/search", cap(C.VIEW_KNOWLEDGE), query={"q": "路灯"}),
    "api:figures": Entry("/api/knowledge/figures", cap(C.VIEW_KNOWLEDGE)),
    "api:entry_list": Entry("/api/knowledge/entries", cap(C.VIEW_KNOWLEDGE)),
    "api:entry_create": Entry("/api/knowledge/entries", cap(C.VIEW_KNOWLEDGE)),  # GET: list
    **{
        f"api:{name}": Entry("/api/knowledge/entries/{entry}", scoped(C.VIEW_KNOWLEDGE), KB2)
        for name in ("entry_get", "entry_update", "entry_delete")  # GET: the entry
    },
    **{
        f"api:entry_{action}": Entry(
            f"/api/knowledge/entries/{{entry}}/{action}", every(405), ("own",)
        )
        for action in ("submit", "approve", "return", "report")
    },
    # knowledge (every role reads; units draft their own; the hotline reviews)
    "section-knowledge": Entry("/knowledge/", cap(C.VIEW_KNOWLEDGE)),
    "knowledge:home": Entry("/knowledge/", cap(C.VIEW_KNOWLEDGE), query={"q": "路灯"}),
    "knowledge:review": Entry("/knowledge/review/", cap(C.VIEW_KNOWLEDGE)),
    "knowledge:new": Entry("/knowledge/new/", cap(C.EDIT_KNOWLEDGE)),
    "knowledge:entry": Entry("/knowledge/{entry}/", scoped(C.VIEW_KNOWLEDGE), KB2),
    "knowledge:version": Entry("/knowledge/version/{version}/", scoped(C.VIEW_KNOWLEDGE), KB2),
    "knowledge:edit": Entry("/knowledge/{entry}/edit/", scoped(C.EDIT_KNOWLEDGE), KB2),
    "knowledge:attach": Entry("/knowledge/{entry}/attach/", post_only(C.EDIT_KNOWLEDGE), ("own",)),
    "knowledge:action": Entry("/knowledge/{entry}/submit/", post_only(C.VIEW_KNOWLEDGE), ("own",)),
    "knowledge:intake": Entry("/knowledge/intake/", cap(C.INTAKE), query={"q": "路灯"}),
    "knowledge:overdue-corrections": Entry(
        "/knowledge/corrections/overdue/", cap(C.SUPERVISE, C.REVIEW_KNOWLEDGE)
    ),
    "knowledge:figures": Entry("/knowledge/figures/", cap(C.VIEW_KNOWLEDGE)),
    "knowledge:import": Entry("/knowledge/import/", cap(C.REVIEW_KNOWLEDGE)),
    "knowledge:import-template": Entry("/knowledge/import/template.csv", cap(C.REVIEW_KNOWLEDGE)),
    # reports (figures for all staff, through visible_to; schemes, periods and documents)
    "reports:assessment": Entry("/reports/assessment/", cap(C.VIEW_POLICIES)),
    "reports:drill": Entry("/reports/tickets/", cap(C.VIEW_POLICIES)),
    "reports:schemes": Entry("/reports/schemes/", cap(C.MANAGE, C.REPORTS)),
    "reports:scheme-action": Entry("/reports/schemes/action/", post_only(C.MANAGE)),
    "reports:scheme-edit": Entry("/reports/schemes/{scheme}/edit/", cap(C.MANAGE)),
    "reports:periods": Entry("/reports/periods/", cap(C.SUPERVISE, C.REPORTS)),
    "reports:period-action": Entry("/reports/periods/action/", post_only(C.SUPERVISE)),
    "reports:documents": Entry("/reports/documents/", cap(C.REPORTS)),
    "reports:document": Entry("/reports/documents/{report}/", cap(C.REPORTS)),
    "reports:document-export": Entry("/reports/documents/{report}.xlsx", cap(C.REPORTS)),
    "public-results": Entry("/results/", every(200), public=True),
    # channels: the online queue for the intake desk; webhooks answer everyone alike
    "channels:queue": Entry("/channels/online/", cap(C.INTAKE)),
    "channels:review": Entry("/channels/online/{online}/", cap(C.INTAKE)),
    "channels:attachment": Entry("/channels/online/{online}/files/{online_file}/", cap(C.INTAKE)),
    "channels:settings": Entry("/channels/settings/", cap(C.MANAGE)),
    # a POST from the ticket page; a GET is 404 for those who may transfer
    "channels:transfer": Entry(
        "/channels/transfer/{ticket}/",
        lambda u, _o: 404 if can(u, C.INTAKE) or can(u, C.DISPATCH) else 403,
        ("own",),
    ),
    "channels:sms-inbound": Entry("/channels/sms/inbound/", every(405)),
    "channels:wechat": Entry("/channels/wechat/", every(503)),  # no token configured
    "channels:partner-transfer": Entry("/channels/partner/transfers/", every(405)),
    "channels:partner-status": Entry("/channels/partner/transfers/status/", every(405)),
    # emergencies
    "emergencies:reports": Entry(
        "/emergencies/", cap(C.INTAKE, C.DISPATCH, C.SUPERVISE, C.INSTRUCT)
    ),
    "emergencies:banner": Entry("/emergencies/banner/", cap(C.INTAKE)),
    "emergencies:transfer": Entry("/emergencies/transfer/", post_only(C.INTAKE)),
    "emergencies:acknowledge": Entry(
        "/emergencies/1/acknowledge/", post_only(C.SUPERVISE, C.INSTRUCT)
    ),
    # the citizens' portal, Open311 and the captcha: public, the same for every role
    "portal:start": Entry("/portal/", every(200), public=True),
    "portal:verify": Entry("/portal/verify/", every(200), public=True),
    "portal:submit": Entry("/portal/submit/", every(302), public=True),
    "portal:track": Entry("/portal/track/", every(200), public=True),
    "portal:mine": Entry("/portal/mine/", every(302), public=True),
    "portal:rate": Entry("/portal/rate/{ticket}/", every(405), ("own",), public=True),
    "portal:open311-keys": Entry("/portal/manage/open311/", cap(C.MANAGE)),
    "portal:missed-calls": Entry("/portal/missed-calls/", cap(C.INTAKE)),
    "portal:missed-call-attempt": Entry("/portal/missed-calls/1/attempt/", post_only(C.INTAKE)),
    "portal:missed-calls-import": Entry("/portal/missed-calls/import/", post_only(C.INTAKE)),
    "open311-discovery": Entry("/open311/v2/discovery.json", every(200), public=True),
    "open311-services": Entry("/open311/v2/services.json", every(200), public=True),
    "open311-service": Entry("/open311/v2/services/{service}.json", every(200), public=True),
    "open311-requests": Entry("/open311/v2/requests.json", every(200), public=True),
    "open311-request": Entry(
        "/open311/v2/requests/{ticket}.json",
        lambda _u, o: 404 if o == "confidential" else 200,  # not published, not even its number
        OBJ3,
        public=True,
    ),
    "captcha-image": Entry("/captcha/image/nokey/", every(410)),  # an unknown key
    "captcha-image-2x": Entry("/captcha/image/nokey@2/", every(410)),
    "captcha-refresh": Entry("/captcha/refresh/", every(404)),
}

# URL names covered by a family entry above.
FAMILIES = {"admin:": "admin:*"}


def _walk(resolver, prefix: str = "", namespace: str = ""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else str(pattern.name)
            yield prefix + str(pattern.pattern), name


def _covered(name: str) -> bool:
    if name in MATRIX:
        return True
    return any(name.startswith(p) and family in MATRIX for p, family in FAMILIES.items())


def test_every_url_pattern_is_in_the_matrix():
    missing = sorted(
        {f"{name} ({route})" for route, name in _walk(get_resolver()) if not _covered(name)}
    )
    assert not missing, "add these URL patterns to MATRIX: " + ", ".join(missing)


# --- the world, built once per module -----------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    from hotline.site.demo import build_demo_city
    from hotline.sla.models import DeadlinePolicy
    from hotline.supervision import services as supervision
    from hotline.supervision.models import Document
    from hotline.tickets import services as s

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            build_demo_city()
            users: dict[str, User] = {}
            for user in User.objects.select_related("unit").order_by("username"):
                users.setdefault(user.role, user)
            clerk, leader = users[Role.UNIT_CLERK], users[Role.UNIT_LEADER]
            mine = {clerk.unit_id, leader.unit_id}
            other_unit = (
                Unit.objects.active()
                .exclude(pk__in=mine)
                .exclude(parent_id__in=mine)
                .exclude(kind__in=[UnitKind.GOVERNMENT, UnitKind.CENTER, UnitKind.COMMUNITY])
                .first()
            )
            assert other_unit is not None
            own_lead = clerk.unit
            assists = [leader.unit] if leader.unit_id != clerk.unit_id else []
            tickets, assignments, attachments = {}, {}, {}
            for kind in OBJ3:
                ticket = s.ticket_create(
                    actor=users[Role.OPERATOR],
                    phone=PHONES[kind],
                    name=f"市民{kind}",
                    summary=f"矩阵测试 {kind}",
                    kind="complaint",
                    confidential=kind == "confidential",
                )
                lead = other_unit if kind == "other" else own_lead
                s.ticket_dispatch(
                    actor=users[Role.DISPATCHER],
                    ticket=ticket,
                    lead=lead,
                    assists=[] if kind == "other" else assists,
                )
                tickets[kind] = ticket.number
                assignments[kind] = ticket.assignments.get(unit=lead).pk
                upload = SimpleUploadedFile("note.pdf", b"%PDF-1.4\n% matrix\n", "application/pdf")
                attachments[kind] = s.attachment_add(
                    actor=users[Role.OPERATOR], ticket=ticket, upload=upload
                ).pk
            documents_by_kind = {}
            for kind in ("own", "other"):
                from hotline.tickets.models import Assignment

                documents_by_kind[kind] = supervision.document_issue(
                    actor=users[Role.SUPERVISOR],
                    assignment=Assignment.objects.get(pk=assignments[kind]),
                    kind=Document.Kind.LETTER,
                ).pk
            extras = _merged_apps_world(users, clerk.unit, other_unit)
            yield {
                **extras,
                "users": users,
                "ticket": tickets,
                "assignment": assignments,
                "attachment": attachments,
                "document": documents_by_kind,
                "unit": own_lead.code,
                "policy": DeadlinePolicy.objects.order_by("pk").first().code,
                "catalog": CatalogItem.objects.order_by("pk").first().code,
            }
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _merged_apps_world(users: dict[str, User], own_unit: Unit, other_unit: Unit) -> dict:
    """The objects of the merged apps: a knowledge draft of the own unit and one of another
    unit, a report document, an online request with a file, a scheme and an Open311 service."""
    from datetime import date

    from hotline.channels import services as channels
    from hotline.directory.models import Topic
    from hotline.knowledge import services as knowledge
    from hotline.reports import services as reports
    from hotline.reports.models import ReportDocument, Scheme

    entries = {
        kind: knowledge.entry_create(
            actor=actor,
            kind="qa",
            owner=owner,
            content=knowledge.Content(
                title=f"矩阵测试 {kind}", answer="答复口径", effective=date(2026, 1, 1)
            ),
        )
        for kind, actor, owner in [
            ("own", users[Role.UNIT_CLERK], own_unit),
            ("other", users[Role.SUPERVISOR], other_unit),
        ]
    }
    if not Scheme.objects.exists():
        reports.scheme_install_preset(actor=users[Role.ADMIN], code="LX")
    report = reports.report_draft(
        actor=users[Role.SUPERVISOR],
        kind=ReportDocument.Kind.BRIEFING,
        start=date(2026, 11, 1),
        end=date(2026, 11, 30),
    )
    online = channels.online_request_create(
        channel=sorted(channels.ONLINE_CHANNELS)[0],
        subject="矩阵测试 网上诉求",
        body="路灯不亮",
        phone="13911110004",
        files=[SimpleUploadedFile("photo.pdf", b"%PDF-1.4\n% matrix\n", "application/pdf")],
    )
    return {
        "entry": {k: e.pk for k, e in entries.items()},
        "version": {k: e.latest_version_id for k, e in entries.items()},
        "report": report.pk,
        "online": online.pk,
        "online_file": online.attachments.get().pk,
        "scheme": Scheme.objects.order_by("pk").first().code,
        "service": Topic.objects.filter(active=True, children__isnull=True)
        .order_by("pk")
        .first()
        .code,
    }


OBJECT_KEYS = ("ticket", "assignment", "attachment", "document", "entry", "version")
SCALAR_KEYS = ("unit", "policy", "catalog", "report", "online", "online_file", "scheme", "service")


def _values(world: dict, obj: str | None) -> dict:
    values = {key: world[key] for key in SCALAR_KEYS}
    values.update(
        {key: world[key][obj] for key in OBJECT_KEYS if obj is not None and obj in world[key]}
    )
    return values


def _path(entry: Entry, world: dict, obj: str | None) -> str:
    return entry.path.format(**_values(world, obj))


def _query(entry: Entry, world: dict, obj: str | None) -> dict[str, str]:
    return {k: v.format(**_values(world, obj)) for k, v in entry.query.items()}


def _text(response) -> str:
    content_type = response.get("Content-Type", "")
    if "spreadsheetml" in content_type:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(response.content), read_only=True)
        return " ".join(
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        )
    if content_type.startswith(("text/", "application/json")):
        return response.content.decode(errors="replace")
    return ""


def _phones_forbidden(user: User) -> set[str]:
    """The callers' phones this user must never see in full."""
    if not can(user, C.VIEW_PERSONAL_DATA):
        return set(PHONES.values())
    if not can(user, C.VIEW_CONFIDENTIAL):
        return {PHONES["confidential"]}
    return set()


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_page_role_object_matrix(world, name):
    entry = MATRIX[name]
    wrong = []
    for role in Role.values:
        user = world["users"][role]
        client = Client()
        client.force_login(user)
        for obj in entry.objects or (None,):
            path = _path(entry, world, obj)
            response = client.get(path, _query(entry, world, obj))
            expected = entry.rule(user, obj)
            allowed = expected if isinstance(expected, set) else {expected}
            if response.status_code not in allowed:
                wrong.append(
                    f"{role} {obj or ''} GET {path}: {response.status_code}, want {expected}"
                )
                continue
            if response.status_code == 200:
                body = _text(response)
                forbidden = set(PHONES.values()) if entry.public else _phones_forbidden(user)
                leaked = sorted(p for p in forbidden if p in body)
                names = {NAMES[k] for k, v in PHONES.items() if v in forbidden}
                leaked += sorted(n for n in names if n in body)
                if user.role in UNIT_ROLES and not entry.public and OTHER_UNIT_TEXT in body:
                    leaked.append(OTHER_UNIT_TEXT)
                if leaked:
                    wrong.append(f"{role} {obj or ''} GET {path}: shows {', '.join(leaked)}")
    assert not wrong, "\n".join(wrong)
