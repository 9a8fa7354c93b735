"""`{% load intelligence %}`: the reply check beside a reply (R-UN-5).

{% reply_check reply %}                       a tickets.Reply: its ticket's summary
                                               and detail are the question
{% reply_check reply ticket=t %}              the same, the ticket at hand (no query)
{% reply_check question_text reply_text %}    two strings
"""

from __future__ import annotations

from typing import Any

from django import template

from hotline.intelligence.replies import ReplyCheck, check_reply

register = template.Library()


def _check(reply: Any, reply_text: str | None, ticket: Any) -> ReplyCheck | None:
    if reply_text is not None:
        return check_reply(str(reply or ""), str(reply_text))
    text = getattr(reply, "text", None)
    if text is None:
        return None
    if ticket is None:
        ticket = reply.assignment.ticket
    question = f"{ticket.summary}\n{ticket.detail}"
    return check_reply(question, text, subject=ticket.summary)


@register.inclusion_tag("intelligence/_reply_check.html")
def reply_check(reply: Any, reply_text: str | None = None, ticket: Any = None) -> dict[str, Any]:
    """Findings of the reply check, for the unit leader and the hotline's reviewer."""
    return {"check": _check(reply, reply_text, ticket)}


@register.inclusion_tag("intelligence/_kind_check.html")
def kind_check(ticket) -> dict[str, Any]:
    """{% kind_check ticket %}: the 质检 warning when the recorded kind disagrees."""
    from hotline.intelligence.kindcheck import check_kind

    return {"finding": check_kind(ticket.summary, ticket.detail, ticket.kind)}
