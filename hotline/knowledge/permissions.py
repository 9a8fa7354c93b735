"""Who may do what with an entry (R-KB, ZS 34): capabilities come from accounts; the unit
rule (a unit keeps its own entries and its sub-units') is here, in one place."""

from __future__ import annotations

from django.utils.translation import gettext as _

from hotline.accounts.permissions import Capability, can, require
from hotline.core.errors import PermissionDenied


def is_hotline(user) -> bool:
    """Hotline staff: reviewers and everyone whose unit is the hotline centre."""
    from hotline.directory.models import UnitKind

    if can(user, Capability.REVIEW_KNOWLEDGE):
        return True
    unit = getattr(user, "unit", None)
    return unit is not None and unit.kind == UnitKind.CENTER


def owns(user, entry) -> bool:
    unit_id = getattr(user, "unit_id", None)
    if unit_id is None:
        return False
    return entry.owner_id == unit_id or entry.owner.parent_id == unit_id


def require_edit(user, entry=None, owner=None) -> None:
    """A reviewer edits any entry; a unit only its own (and its sub-units')."""
    require(user, Capability.EDIT_KNOWLEDGE)
    if can(user, Capability.REVIEW_KNOWLEDGE):
        return
    unit_id = getattr(user, "unit_id", None)
    target = owner if owner is not None else entry.owner
    if unit_id is None or (target.pk != unit_id and target.parent_id != unit_id):
        raise PermissionDenied(_("Only the owner unit may change this entry."))
