"""Every read of tickets a page or the API needs; `Ticket.objects.visible_to` decides who sees
what."""

from __future__ import annotations

from django.db.models import Count, Prefetch
from django.utils.translation import gettext

from hotline.accounts.permissions import Capability, can
from hotline.core.access_log import HISTORY, IDENTITY, record_access
from hotline.core.masking import mask_email, mask_name, mask_openid, mask_phone
from hotline.tickets.models import AbuseRecord, Assignment, Ticket


def sees_every_ticket(user) -> bool:
    """Hotline staff see every ticket; unit staff only their units' (design rule 5)."""
    return can(user, Capability.VIEW_ALL_TICKETS)


def ticket_get(*, user, number: str) -> Ticket | None:
    return (
        Ticket.objects.visible_to(user)
        .select_related(
            "citizen", "operator", "policy_version__policy", "region", "topic__parent__parent"
        )
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related("unit", "handler").prefetch_related(
                    "pauses",
                    "requests__requested_by",
                    "requests__decided_by",
                    "replies__written_by",
                    "replies__approved_by",
                ),
            ),
            "events__actor",
            "events__unit",
            "visits__by",
            "submissions__instructed_by",
        )
        .filter(number=number)
        .first()
    )


def citizen_for(user, ticket: Ticket, *, log: bool = True) -> dict[str, str]:
    """The caller as this user may see them (R-IN-6, R-SE).

    A confidential ticket hides the caller from every unit: the hotline relays the
    result (LX 四3). Roles without personal-data access see a masked phone. Every
    unmasked view is written to the access log (issue 14 item 4) unless the caller logs
    it otherwise (`log=False`: an export writes one row for the file).
    """
    citizen = ticket.citizen
    if ticket.confidential and not can(user, Capability.VIEW_CONFIDENTIAL):
        hidden = gettext("(confidential, relayed by the hotline)")
        name = gettext("(confidential)")
        return {"name": name, "phone": hidden, "email": "", "wechat": "", "address": ""}
    if not can(user, Capability.VIEW_PERSONAL_DATA):
        return {
            "name": mask_name(citizen.name),
            "phone": mask_phone(citizen.phone),
            "email": mask_email(citizen.email),
            "wechat": mask_openid(citizen.wechat_openid),
            "address": "",
        }
    if log:
        record_access(user=user, what=IDENTITY, ticket_number=ticket.number, citizen_id=citizen.pk)
    wechat = f"wx:{citizen.wechat_openid}" if citizen.wechat_openid else ""
    return {
        "name": citizen.name,
        "phone": citizen.phone,
        "email": citizen.email,
        "wechat": wechat,
        "address": citizen.address,
    }


def citizen_history(*, user, phone: str, limit: int = 20) -> list[Ticket]:
    """The caller's earlier tickets, newest first (repeats and abuse, R-IN-4, R-IN-5);
    looking a caller up by phone is an access to personal data (issue 14 item 4)."""
    record_access(user=user, what=HISTORY, detail=mask_phone(phone))
    return list(
        Ticket.objects.visible_to(user)
        .filter(citizen__phone=phone)
        .select_related("citizen")
        .order_by("-received_at")[:limit]
    )


def abuse_summary(*, phone: str) -> dict[str, int]:
    """How often this number was recorded as abusive, by kind (shown during the call)."""
    return dict(
        AbuseRecord.objects.filter(citizen__phone=phone)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .order_by()
    )


def attachments_for(user, ticket: Ticket):
    """The ticket's files this user may see: units never see complaint evidence (KM 19)."""
    files = ticket.attachments.all()
    if not can(user, Capability.VIEW_CONFIDENTIAL):
        return [f for f in files if not f.evidence]
    return list(files)
