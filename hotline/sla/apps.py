from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "hotline.sla"
    label = "sla"
    verbose_name = _("Deadlines and working days")

    def ready(self) -> None:
        from django.utils.translation import gettext

        from hotline.sla import i18n

        # The pure modules' messages and labels translate through Django from now on.
        i18n.install(gettext)
