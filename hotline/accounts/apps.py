from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "hotline.accounts"
    label = "accounts"
    verbose_name = "用户与角色"

    def ready(self) -> None:
        from hotline.accounts import signals

        signals.connect()
