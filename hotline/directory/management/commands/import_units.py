from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hotline.accounts.models import Role, User
from hotline.directory.services import ImportRejected, units_import


class Command(BaseCommand):
    help = "Import units from an .xlsx or .csv file: every row valid, or nothing imported."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--as", dest="username", help="administrator recorded as the actor")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        actor = self._actor(options.get("username"))
        try:
            result = units_import(actor=actor, file_name=path.name, content=path.read_bytes())
        except ImportRejected as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(exc.message) from None
        self.stdout.write(f"created {result.created}, updated {result.updated}")

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
