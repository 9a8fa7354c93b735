from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from hotline.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database and the media files into a new directory (docs/operations.md)."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="a new, empty directory")

    def handle(self, *args, out, **options):
        try:
            manifest = backup_create(out=Path(out))
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"backup written to {out}: {manifest['engine']} database and "
            f"{len(manifest['files']) - 1} media files, checksums in manifest.json"
        )
