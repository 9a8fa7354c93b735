"""`hotline open311-key --name APP`: issue an Open311 app's key (printed once)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from hotline.core.errors import DomainError
from hotline.portal.open311 import open311_key_issue


class Command(BaseCommand):
    help = "Issue an Open311 GeoReport v2 API key to an app; the key is printed once."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="the app's name")

    def handle(self, *args, **options):
        try:
            app, key = open311_key_issue(actor=None, name=options["name"])
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"{app.name}: {key}")
        self.stdout.write(
            _("This key is shown only this once; keep it safe (the system keeps only its digest).")
        )
