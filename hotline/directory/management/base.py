"""The shape every directory import command shares: a file, an administrator, all or nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hotline.accounts.models import Role, User
from hotline.directory.services import ImportRejected, ImportResult


class ImportCommand(BaseCommand):
    """Subclasses set `help` and `service` (a directory `*_import` service)."""

    service: Callable[..., ImportResult]

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--as", dest="username", help="administrator recorded as the actor")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        actor = self._actor(options.get("username"))
        try:
            result = type(self).service(actor=actor, file_name=path.name, content=path.read_bytes())
        except ImportRejected as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(exc.message) from None
        line = f"created {result.created}, updated {result.updated}, unchanged {result.unchanged}"
        if result.closed:
            line += f", earlier versions closed {result.closed}"
        self.stdout.write(line)

    def _actor(self, username):
        users = User.objects.filter(is_active=True)
        if username:
            actor = users.filter(username=username).first()
        else:
            actor = users.filter(role=Role.ADMIN).first()
        if actor is None:
            raise CommandError(
                "no administrator account: create one with `hotline createsuperuser`"
            )
        return actor
