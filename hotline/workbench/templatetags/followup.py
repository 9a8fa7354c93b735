"""{% unit_followup a %}: the contact record and the exclusion / carry-over requests
in the inbox panel, rendered with the page (htmx updates it in place)."""

from django import template

from hotline.workbench.views.followup import unit_context

register = template.Library()


@register.inclusion_tag("workbench/_unit_followup.html", takes_context=True)
def unit_followup(context, assignment):
    return {**unit_context(context["request"].user, assignment), "request": context["request"]}
