"""质检: sampling operators' tickets and scoring their records (R-AS-3, SR 七(二), ZS 33).

A reviewer (the hotline's supervisor) draws a sample of each operator's tickets of a
period and scores each record against the call or the text: completeness (0-50), the
right kind (25), the right unit (25). Each sampling and each score is a ticket event.
"""

from __future__ import annotations

import random
from datetime import datetime

from django.db import transaction

from hotline.accounts.models import Role, User
from hotline.accounts.permissions import Capability, require
from hotline.core import clock
from hotline.core.errors import Conflict, DomainError
from hotline.supervision.models import QualityReview
from hotline.tickets.events import EventKind, lock_ticket, record, record_rows
from hotline.tickets.models import Ticket

SAMPLE_MAX = 50
REMARKS_MAX = 2000


def quality_sample(
    *, actor, start: datetime, end: datetime, per_operator: int, operator: User | None = None
) -> list[QualityReview]:
    """Draw up to `per_operator` not yet sampled tickets of each operator (or of one)
    received in [start, end). The draw is random but repeatable for the same period."""
    require(actor, Capability.SUPERVISE)
    if not 1 <= per_operator <= SAMPLE_MAX:
        raise DomainError(f"每名话务员抽检数量须在 1 到 {SAMPLE_MAX} 之间")
    if end <= start:
        raise DomainError("结束日期须晚于开始日期")
    tickets = Ticket.objects.filter(
        received_at__gte=start,
        received_at__lt=end,
        operator__role=Role.OPERATOR,
        quality_review__isnull=True,
    )
    if operator is not None:
        tickets = tickets.filter(operator=operator)
    by_operator: dict[int, list[int]] = {}
    for pk, operator_id in tickets.order_by("pk").values_list("pk", "operator_id"):
        by_operator.setdefault(operator_id, []).append(pk)
    draw = random.Random(f"{start.isoformat()}/{end.isoformat()}")  # repeatable
    created: list[QualityReview] = []
    events: list[dict] = []
    with transaction.atomic():
        for operator_id, ids in sorted(by_operator.items()):
            for pk in sorted(draw.sample(ids, min(per_operator, len(ids)))):
                review = QualityReview.objects.create(
                    ticket_id=pk, operator_id=operator_id, sampled_by=actor
                )
                events.append(
                    {
                        "ticket_id": pk,
                        "kind": EventKind.QUALITY_SAMPLED,
                        "actor_id": actor.pk,
                        "data": {},
                    }
                )
                created.append(review)
        record_rows(events)
    return created


def quality_review(
    *,
    actor,
    review: QualityReview,
    completeness: int,
    kind_correct: bool,
    unit_correct: bool,
    remarks: str = "",
) -> QualityReview:
    """Score one sampled record; the total is completeness + 25 + 25. A score once given
    is final (a second reviewer is refused), so the operator's results cannot shift."""
    require(actor, Capability.SUPERVISE)
    if not isinstance(completeness, int) or not 0 <= completeness <= QualityReview.COMPLETENESS_MAX:
        raise DomainError(f"记录完整性得分须为 0 到 {QualityReview.COMPLETENESS_MAX} 的整数")
    remarks = (remarks or "").strip()
    if len(remarks) > REMARKS_MAX:
        raise DomainError(f"质检意见不能超过 {REMARKS_MAX} 字（现有 {len(remarks)} 字）")
    with transaction.atomic():
        review = QualityReview.objects.select_for_update().get(pk=review.pk)
        if review.reviewed_at is not None:
            raise Conflict("该工单已质检评分")
        if review.operator_id and review.operator_id == actor.pk:
            raise DomainError("不能质检本人受理的工单")
        review.completeness = completeness
        review.kind_correct, review.unit_correct = bool(kind_correct), bool(unit_correct)
        review.score = (
            completeness
            + (QualityReview.KIND_POINTS if kind_correct else 0)
            + (QualityReview.UNIT_POINTS if unit_correct else 0)
        )
        review.remarks, review.reviewer, review.reviewed_at = remarks, actor, clock.now()
        review.save()
        record(
            lock_ticket(review.ticket_id),
            EventKind.QUALITY_REVIEWED,
            actor=actor,
            score=review.score,
            completeness=completeness,
            kind_correct=review.kind_correct,
            unit_correct=review.unit_correct,
            remarks=remarks,
        )
    return review
