"""`hotline knowledge import --csv PATH`: import entries, all or none (R-KB)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hotline.accounts.models import Role, User
from hotline.directory.services import ImportRejected
from hotline.knowledge.importing import entries_import


class Command(BaseCommand):
    help = "Knowledge base: import entries from .csv or .xlsx (R-KB)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import and publish entries; nothing on any error")
        imp.add_argument("--csv", required=True, help="file with title, body, kind, owner, ...")
        imp.add_argument("--as", dest="username", help="reviewer account (default: an admin)")

    def handle(self, *args, **options):
        path = Path(options["csv"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        users = User.objects.filter(is_active=True)
        if options["username"]:
            actor = users.filter(username=options["username"]).first()
            if actor is None:
                raise CommandError(f"no active user {options['username']}")
        else:
            actor = users.filter(role=Role.ADMIN).order_by("pk").first()
            if actor is None:
                raise CommandError("no active administrator: pass --as USERNAME")
        try:
            n = entries_import(actor=actor, file_name=path.name, content=path.read_bytes())
        except ImportRejected as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(exc.message) from None
        self.stdout.write(f"Imported {n} entries.")
