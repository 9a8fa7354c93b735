from django.apps import AppConfig


class SlaConfig(AppConfig):
    name = "hotline.sla"
    label = "sla"
    verbose_name = "时限与工作日"
