from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The pages above every app: home, sections, health, the access log; the tick loop and
    the demo city, which reach into every app (decision 0024)."""

    name = "hotline.site"
    label = "site"
    verbose_name = "站点"
