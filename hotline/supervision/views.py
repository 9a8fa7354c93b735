from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from hotline.accounts.permissions import Capability
from hotline.core.errors import DomainError
from hotline.core.views import capability_required
from hotline.supervision import services
from hotline.tickets.models import Assignment, Ticket


@require_POST
@capability_required(Capability.SUPERVISE)
def remind(request, pk: int):
    visible = Ticket.objects.visible_to(request.user)
    assignment = get_object_or_404(Assignment.objects.filter(ticket__in=visible), pk=pk)
    try:
        services.reminder_send(
            actor=request.user, assignment=assignment, note=request.POST.get("note", "").strip()
        )
    except DomainError as exc:
        if exc.status == 403:
            raise DjangoPermissionDenied(exc.message) from None
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已向{assignment.unit.name}发出催办：{assignment.ticket.number}")
    return redirect(request.POST.get("next") or "section-supervision")
