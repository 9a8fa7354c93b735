from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmergenciesConfig(AppConfig):
    name = "hotline.emergencies"
    label = "emergencies"
    verbose_name = _("Emergencies")
