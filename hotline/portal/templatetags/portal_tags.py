from django import template

from hotline.portal.missed_calls import callback_share

register = template.Library()


@register.inclusion_tag("portal/_board_missed_calls.html")
def missed_call_share():
    """The supervisor board's call-back share (漏话回拨)."""
    return {"share": callback_share()}
