from django.apps import AppConfig


class IntelligenceConfig(AppConfig):
    name = "hotline.intelligence"
    label = "intelligence"
    verbose_name = "智能辅助"
