"""Who issues the hotline's documents, and the city they name (issue 15 item 14).

Every document (supervision letters and efficiency recommendations, the monthly
bulletin, report documents) is issued in ONE name: `settings.HOTLINE_ISSUER` when set,
otherwise the hotline centre's name in the directory (青溪市12345政务服务便民热线中心).
"""

from __future__ import annotations

import re

from django.conf import settings

CITY_RE = re.compile(r"^(.+?[市县区旗])")


def hotline_unit():
    """The hotline centre's directory entry; its contacts are the hotline's leaders."""
    from hotline.directory.models import Unit, UnitKind

    return (
        Unit.objects.filter(kind=UnitKind.CENTER, active=True).order_by("sort_order", "id").first()
    )


def city_name() -> str:
    """The city's name as documents use it ("青溪市"): settings.HOTLINE_CITY_NAME, else
    taken from the hotline centre's name in the directory."""
    configured = getattr(settings, "HOTLINE_CITY_NAME", "")
    if configured:
        return configured
    center = hotline_unit()
    match = CITY_RE.match(center.name) if center else None
    return match.group(1) if match else ""


def city_short() -> str:
    """ "青溪市" → "青溪" for document numbers; one-character names keep their suffix."""
    name = city_name()
    return name[:-1] if len(name) > 2 and name[-1] in "市县区旗" else name


def document_issuer() -> str:
    """The name every document is issued in: the setting, else the hotline centre."""
    configured = getattr(settings, "HOTLINE_ISSUER", "")
    if configured:
        return configured
    center = hotline_unit()
    if center is not None:
        return center.name
    return f"{city_name()}12345热线"
