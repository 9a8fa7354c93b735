from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    """The pages above every app: home, sections, health, the access log; the tick loop and
    the demo city, which reach into every app (decision 0024)."""

    name = "hotline.site"
    label = "site"
    verbose_name = _("Site")
