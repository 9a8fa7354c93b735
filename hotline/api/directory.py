from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from hotline.accounts.permissions import Capability, require
from hotline.api.schemas import ErrorOut, UnitOut
from hotline.core.errors import NotFound
from hotline.directory.models import Unit

router = Router(tags=["directory"])


def _out(unit: Unit) -> dict:
    return {
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "parent_code": unit.parent.code if unit.parent else None,
        "active": unit.active,
        "service_hours": unit.service_hours,
        "public_phone": unit.public_phone,
        "liaison_name": unit.liaison_name,
        "liaison_phone": unit.liaison_phone,
    }


@router.get("", response=list[UnitOut])
def unit_list(request: HttpRequest, q: str = "", kind: str = "", active: bool | None = None):
    require(request.user, Capability.VIEW_DIRECTORY)
    units = Unit.objects.select_related("parent")
    if q:
        units = units.filter(name__icontains=q)
    if kind:
        units = units.filter(kind=kind)
    if active is not None:
        units = units.filter(active=active)
    return [_out(u) for u in units[:1000]]


@router.get("/{code}", response={200: UnitOut, 404: ErrorOut})
def unit_detail(request: HttpRequest, code: str):
    require(request.user, Capability.VIEW_DIRECTORY)
    unit = Unit.objects.select_related("parent").filter(code=code).first()
    if unit is None:
        raise NotFound(_("No such unit."))
    return _out(unit)
