import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from hotline.site.tick import run_once


class Command(BaseCommand):
    help = "Run the periodic jobs (deliveries, ...) forever, or once with --once (cron)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true")
        parser.add_argument("--interval", type=float, default=30.0, help="seconds between passes")

    def handle(self, *args, **options):
        while True:
            result = run_once()
            if options["once"]:
                self.stdout.write(str(result))
                return
            time.sleep(options["interval"])
            close_old_connections()  # a long-lived loop must not keep a dead connection
