from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "hotline.channels"
    label = "channels"
    verbose_name = _("Channels")

    def ready(self) -> None:
        # Senders above notices register into it (see notices.register_sender).
        from hotline.channels import notices, sms, transfers

        notices.register_sender(notices.TRANSFER_REPORT, transfers.report_back)
        notices.register_sender(notices.SMS_VISIT, sms.invite_visit)
