from django import template

from hotline.portal.missed_calls import callback_share

register = template.Library()


@register.inclusion_tag("portal/_board_missed_calls.html")
def missed_call_share():
    """The supervisor board's call-back share (漏话回拨)."""
    return {"share": callback_share()}


@register.filter
def masked_phone(phone: str) -> str:
    """`139****2222`, as every page masks a phone (core.masking)."""
    from hotline.core.masking import mask_phone

    return mask_phone(str(phone or ""))
