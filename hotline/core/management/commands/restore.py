from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hotline.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup made by `hotline backup` into a fresh installation."

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument(
            "--force", action="store_true", help="restore over a database that has tables"
        )

    def handle(self, *args, directory, force, **options):
        try:
            manifest = backup_restore(directory=Path(directory), force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"restored the backup of {manifest['created_at']} from {directory}; "
            "run `hotline migrate` if this version is newer"
        )
