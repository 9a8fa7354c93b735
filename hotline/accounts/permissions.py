"""Who may do what: the one module that answers it (design rule 5).

Roles map to capabilities as data; views, services and the API ask `can` or
`require`, never compare roles themselves.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.utils.translation import gettext as _

from hotline.accounts.models import Role
from hotline.core.errors import PermissionDenied


class Capability(StrEnum):
    INTAKE = "intake"  # 受理: record calls, answer now, create tickets
    DISPATCH = "dispatch"  # 派单: dispatch, review send-backs, extensions, completions
    HANDLE = "handle"  # 承办: sign, handle, reply for the user's unit
    APPROVE_REPLY = "approve_reply"  # 单位负责人 approves the unit's reply (R-UN-5)
    VISIT = "visit"  # 回访
    SUPERVISE = "supervise"  # 督办
    RECORD_MEETINGS = "record_meetings"  # 现场督办 / 协调会 records (R-SV-4, R-SV-5)
    REPORTS = "reports"  # 统计
    INSTRUCT = "instruct"  # 市领导批示 on submissions (R-HM-6)
    MANAGE = "manage"  # 管理: directory, users, policies
    VIEW_DIRECTORY = "view_directory"
    VIEW_POLICIES = "view_policies"  # deadline policies, the calendar, the calculator
    VIEW_PERSONAL_DATA = "view_personal_data"  # citizens' names and phones unmasked
    VIEW_KNOWLEDGE = "view_knowledge"  # 知识库: search, read, report an error (R-KB)
    EDIT_KNOWLEDGE = "edit_knowledge"  # a unit drafts and submits its entries (ZS 34)
    REVIEW_KNOWLEDGE = "review_knowledge"  # the hotline reviews, publishes, imports (ZS 34)
    # Every ticket, not only those assigned to the user's unit (design rule 5).
    VIEW_ALL_TICKETS = "view_all_tickets"
    # Confidential callers and complaint evidence: hidden from units (LX 四3, KM 19).
    VIEW_CONFIDENTIAL = "view_confidential"
    VIEW_ACCESS_LOG = "view_access_log"  # the personal-data access log (issue 14 item 4)


_STAFF = {Capability.VIEW_DIRECTORY, Capability.VIEW_POLICIES}
# Hotline staff, as opposed to a unit's staff (accounts.models.UNIT_ROLES).
_HOTLINE = _STAFF | {Capability.VIEW_ALL_TICKETS, Capability.VIEW_CONFIDENTIAL}

ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.OPERATOR: frozenset(_HOTLINE | {Capability.INTAKE, Capability.VIEW_PERSONAL_DATA}),
    Role.DISPATCHER: frozenset(
        _HOTLINE | {Capability.DISPATCH, Capability.RECORD_MEETINGS, Capability.VIEW_PERSONAL_DATA}
    ),
    Role.UNIT_CLERK: frozenset(_STAFF | {Capability.HANDLE, Capability.VIEW_PERSONAL_DATA}),
    Role.UNIT_LEADER: frozenset(
        _STAFF | {Capability.HANDLE, Capability.APPROVE_REPLY, Capability.VIEW_PERSONAL_DATA}
    ),
    Role.VISITOR: frozenset(_HOTLINE | {Capability.VISIT, Capability.VIEW_PERSONAL_DATA}),
    Role.SUPERVISOR: frozenset(
        _HOTLINE
        | {
            Capability.SUPERVISE,
            Capability.RECORD_MEETINGS,
            Capability.REPORTS,
            Capability.VIEW_ACCESS_LOG,
        }
    ),
    Role.ANALYST: frozenset(_HOTLINE | {Capability.REPORTS}),
    Role.CITY_LEADER: frozenset(_HOTLINE | {Capability.REPORTS, Capability.INSTRUCT}),
    Role.ADMIN: frozenset(_HOTLINE | {Capability.MANAGE, Capability.VIEW_ACCESS_LOG}),
}

# Knowledge base (R-KB, ZS 34): every role reads it; units keep their own entries; the
# hotline's supervisors and administrators review them.
for _role in ROLE_CAPABILITIES:
    ROLE_CAPABILITIES[_role] |= {Capability.VIEW_KNOWLEDGE}
for _role in (Role.UNIT_CLERK, Role.UNIT_LEADER):
    ROLE_CAPABILITIES[_role] |= {Capability.EDIT_KNOWLEDGE}
for _role in (Role.SUPERVISOR, Role.ADMIN):
    ROLE_CAPABILITIES[_role] |= {Capability.EDIT_KNOWLEDGE, Capability.REVIEW_KNOWLEDGE}

# The section each role lands on after login (core.navigation.SECTIONS keys).
ROLE_HOME: dict[str, str] = {
    Role.OPERATOR: "intake",
    Role.DISPATCHER: "dispatch",
    Role.UNIT_CLERK: "inbox",
    Role.UNIT_LEADER: "inbox",
    Role.VISITOR: "visits",
    Role.SUPERVISOR: "supervision",
    Role.ANALYST: "reports",
    Role.CITY_LEADER: "reports",
    Role.ADMIN: "manage",
}


def capabilities(user: Any) -> frozenset[Capability]:
    # The role alone decides, superusers included: Django's superuser flag opens the
    # admin site, not the hotline's work (separation of duties).
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    return ROLE_CAPABILITIES.get(user.role, frozenset())


def can(user: Any, capability: Capability) -> bool:
    return capability in capabilities(user)


def require(user: Any, capability: Capability) -> None:
    """Raise PermissionDenied with a message naming what is missing."""
    if not can(user, capability):
        raise PermissionDenied(
            _("Your role may not do this (%(capability)s).") % {"capability": capability.value}
        )


def home_section(user: Any) -> str:
    if getattr(user, "is_superuser", False) and user.role not in ROLE_HOME:
        return "manage"
    return ROLE_HOME.get(user.role, "manage")
