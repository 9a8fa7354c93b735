"""{% next_steps ticket %}: the "what you can do now" links of the ticket page, so the
tickets app renders the workbench's links without importing the workbench (decision 0024)."""

from django import template

from hotline.workbench.next_steps import next_steps_for

register = template.Library()


@register.inclusion_tag("workbench/_next_steps.html", takes_context=True)
def next_steps(context, ticket):
    return {"next_steps": next_steps_for(context["request"].user, ticket)}
