"""`hotline channels poll`: read the mayor's mailbox once (the tick does it every pass)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from hotline.channels import mailbox


class Command(BaseCommand):
    help = "Online channels: `poll` reads the mayor's mailbox over IMAP once (R-IN-1)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("poll", help="read new mail into the online queue")

    def handle(self, *args, **options):
        config = mailbox.MailboxSettings.from_settings()
        if config is None:
            raise CommandError("no mailbox configured: set HOTLINE_MAILBOX_HOST (see README)")
        try:
            counts = mailbox.poll(config)
        except OSError as exc:
            where = f"{config.host}:{config.port}"
            raise CommandError(f"cannot reach the mailbox {where}: {exc}") from None
        except Exception as exc:  # imap_tools' login and command errors
            raise CommandError(f"mailbox {config.host}:{config.port}: {exc}") from None
        self.stdout.write(
            "mail read: {new} new, {again} already stored, {failed} not usable".format(
                **{"new": 0, "again": 0, "failed": 0, **counts}
            )
            if "closed" not in counts
            else "the mailbox channel is closed: nothing read"
        )
