from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_search_index(sender, using="default", **kwargs) -> None:
    from hotline.tickets import search

    search.ensure_index(using)


class TicketsConfig(AppConfig):
    name = "hotline.tickets"
    label = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        # The text index is database-specific (tsvector GIN / FTS5 + triggers), so it is
        # made after migrate rather than by a migration (docs/decisions/0005-search.md).
        post_migrate.connect(_ensure_search_index, sender=self)
