"""The workbench sections in the top bar: which role sees which (via permissions)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hotline.accounts.permissions import Capability, can


@dataclass(frozen=True)
class Section:
    key: str
    label: str | Promise
    capability: Capability
    accesskey: str

    @property
    def url_name(self) -> str:
        return f"section-{self.key}"


SECTIONS: tuple[Section, ...] = (
    Section("intake", _("Intake"), Capability.INTAKE, "1"),
    Section("dispatch", _("Dispatch"), Capability.DISPATCH, "2"),
    Section("inbox", _("Inbox"), Capability.HANDLE, "3"),
    Section("visits", _("Return visits"), Capability.VISIT, "4"),
    Section("supervision", _("Supervision"), Capability.SUPERVISE, "5"),
    Section("reports", _("Statistics"), Capability.REPORTS, "6"),
    Section("manage", _("Administration"), Capability.MANAGE, "7"),
    Section("knowledge", _("Knowledge base"), Capability.VIEW_KNOWLEDGE, "k"),
)
SECTION_BY_KEY = {s.key: s for s in SECTIONS}


def sections_for(user) -> list[Section]:
    return [s for s in SECTIONS if can(user, s.capability)]
