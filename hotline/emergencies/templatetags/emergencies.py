from django import template

from hotline.emergencies.selectors import open_reports

register = template.Library()


@register.simple_tag
def open_emergency_reports():
    """Unacknowledged emergency reports for the supervisor board (R-DA-5)."""
    return list(open_reports()[:20])
