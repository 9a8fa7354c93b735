from django.apps import AppConfig


class EmergenciesConfig(AppConfig):
    name = "hotline.emergencies"
    label = "emergencies"
    verbose_name = "紧急事件"
