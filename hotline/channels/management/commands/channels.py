"""`hotline channels poll`: read the mayor's mailbox once (the tick does it every pass)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from hotline.channels import mailbox


class Command(BaseCommand):
    help = "Online channels: `poll` reads the mayor's mailbox over IMAP once (R-IN-1)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("poll", help="read new mail into the online queue")
        partner = sub.add_parser("partner", help="add or change a partner hotline (ZS 24)")
        partner.add_argument("--code", required=True)
        partner.add_argument("--name", required=True)
        partner.add_argument("--url", required=True, help="the partner's transfer API address")
        partner.add_argument("--key", required=True, help="the key shared with the partner")

    def handle(self, *args, **options):
        if options["action"] == "partner":
            return self._partner(options)
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

    def _partner(self, options) -> None:
        from django.core.exceptions import ValidationError

        from hotline.channels.models import Partner

        partner = Partner.objects.filter(code=options["code"]).first() or Partner()
        partner.code, partner.name = options["code"], options["name"]
        partner.url, partner.key, partner.active = options["url"], options["key"], True
        try:
            partner.full_clean()
        except ValidationError as exc:
            problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            raise CommandError(problems) from None
        partner.save()
        self.stdout.write(f"partner {partner.code} ({partner.name}) at {partner.url}")
