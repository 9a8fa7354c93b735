from django.core.management.base import BaseCommand
from django.utils import translation

from hotline.accounts.models import Role
from hotline.site.demo import build_demo_city


class Command(BaseCommand):
    help = "Build (or refresh) the demo city 青溪市 and print its accounts. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--tickets",
            type=int,
            default=500,
            help="top the demo up to this many tickets (0: none)",
        )

    def handle(self, *args, **options):
        from django.core.management import call_command

        from hotline.knowledge.demo import build_demo_knowledge
        from hotline.reports.demo import build_demo_reports
        from hotline.tickets.demo import build_demo_tickets

        call_command("migrate", interactive=False, verbosity=0)
        accounts = build_demo_city()
        made = build_demo_tickets(count=options["tickets"])
        entries = build_demo_knowledge()
        if entries:
            self.stdout.write(f"Made {entries} knowledge entries.")
        build_demo_reports()
        if made:
            self.stdout.write(f"Made {made} demo tickets.")
        from hotline.intelligence.services import topic_model_retrain

        learned = topic_model_retrain()  # topic suggestions from the demo's own tickets
        if learned.get("trained"):
            self.stdout.write(f"Topic model v{learned['version']} trained from the tickets.")
        self.stdout.write("Demo city 青溪市 is ready. Accounts (username / password / role):")
        with translation.override("zh-hans"):
            for account in accounts:
                label = Role(account.role).label
                self.stdout.write(f"  {account.username:<12} {account.password:<22} {label}")
