from django.apps import AppConfig


class WorkbenchConfig(AppConfig):
    name = "hotline.workbench"
    label = "workbench"
    verbose_name = "Workbench"
