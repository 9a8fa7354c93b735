"""Page × role × object matrix (issue 14 item 9), in the manner of NetBox's ViewTestCases.

Every URL pattern of the project is in MATRIX, a data table: for each role (one user of
each, from the demo city) and each object the page is about (a ticket of the unit's own,
one of another unit, a confidential one of its own), the status a GET must answer, and
no caller's phone where the role must not see it. A URL pattern missing from the table
fails `test_every_url_pattern_is_in_the_matrix`: a new page, API route or app adds its
rows here (the apps merged later add a block at the end).

The world is built once for the module (one demo city, three tickets, a document, an
attachment); each role × URL check is a GET through the test client.
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


OBJ3 = ("own", "other", "confidential")

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
    # Apps merged later (knowledge, reports, portal, channels) add their entries here.
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
    from hotline.core.demo import build_demo_city
    from hotline.sla.models import Policy
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
            yield {
                "users": users,
                "ticket": tickets,
                "assignment": assignments,
                "attachment": attachments,
                "document": documents_by_kind,
                "unit": own_lead.code,
                "policy": Policy.objects.order_by("pk").first().code,
                "catalog": CatalogItem.objects.order_by("pk").first().code,
            }
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _path(entry: Entry, world: dict, obj: str | None) -> str:
    values = {
        key: world[key][obj]
        for key in ("ticket", "assignment", "attachment", "document")
        if obj is not None and obj in world[key]
    }
    return entry.path.format(
        unit=world["unit"], policy=world["policy"], catalog=world["catalog"], **values
    )


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
            response = client.get(path, entry.query)
            expected = entry.rule(user, obj)
            allowed = expected if isinstance(expected, set) else {expected}
            if response.status_code not in allowed:
                wrong.append(
                    f"{role} {obj or ''} GET {path}: {response.status_code}, want {expected}"
                )
                continue
            if response.status_code == 200:
                body = _text(response)
                leaked = sorted(p for p in _phones_forbidden(user) if p in body)
                if leaked:
                    wrong.append(f"{role} {obj or ''} GET {path}: shows {', '.join(leaked)}")
    assert not wrong, "\n".join(wrong)
