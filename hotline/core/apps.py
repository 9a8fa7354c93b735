from django.apps import AppConfig
from django.db.models.signals import pre_save
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "hotline.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from hotline.core import lookups  # noqa: F401  (registers field__literal_in)
        from hotline.core.text import clean_text_pre_save

        # Every hotline model's text passes one check before the database (issue 14 item 1).
        pre_save.connect(clean_text_pre_save, dispatch_uid="hotline.core.text")
