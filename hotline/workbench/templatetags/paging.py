"""{{ count|capped }}: a count from workbench.paging written as "12" or "999+"."""

from django import template

from hotline.workbench.paging import shown

register = template.Library()


@register.filter
def capped(count: int) -> str:
    return shown(count)
