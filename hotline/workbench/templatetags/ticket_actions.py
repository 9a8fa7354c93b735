"""{% ticket_actions ticket %}: the "what you can do now" links of the ticket page, so the
tickets app renders the workbench's links without importing the workbench (decision 0024)."""

from django import template

from hotline.workbench.actions import actions_for

register = template.Library()


@register.inclusion_tag("workbench/_ticket_actions.html", takes_context=True)
def ticket_actions(context, ticket):
    return {"ticket_actions": actions_for(context["request"].user, ticket)}
