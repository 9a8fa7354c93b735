"""`hotline deadline`: the deadline calculator on the command line.

The first line of output is the due moment in ISO 8601 (Asia/Shanghai), so scripts can
read it; `--explain` adds the reasoning below it.
"""

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError

from hotline.sla import compute, policies, selectors
from hotline.sla.deadlines import SHANGHAI
from hotline.sla.policies import Kind, Mode, Period, PeriodUnit, Urgency
from hotline.sla.views import calculator_policy


class Command(BaseCommand):
    help = "Compute a deadline in working days or hours, or by a policy rule."

    def add_arguments(self, parser):
        parser.add_argument(
            "--from",
            dest="start",
            required=True,
            help="received at, e.g. 2024-02-08T16:00 (Asia/Shanghai)",
        )
        amount = parser.add_mutually_exclusive_group()
        amount.add_argument("--working-days", type=int)
        amount.add_argument("--working-hours", type=float)
        amount.add_argument("--natural-hours", type=float)
        parser.add_argument("--policy", help="policy code, e.g. KJ (installed or preset)")
        parser.add_argument("--kind", choices=[k.value for k in Kind], default="consult")
        parser.add_argument("--mode", choices=[m.value for m in Mode], default="written")
        parser.add_argument("--urgency", choices=[u.value for u in Urgency], default="normal")
        parser.add_argument("--catalog-days", type=float)
        parser.add_argument("--explain", action="store_true")

    def handle(self, *args, **options):
        try:
            start = datetime.fromisoformat(options["start"])
        except ValueError:
            raise CommandError(f"--from: not a date and time: {options['start']!r}") from None
        if start.tzinfo is None:
            start = start.replace(tzinfo=SHANGHAI)
        calendar = selectors.work_calendar()
        result = None
        try:
            if options["policy"]:
                policy = calculator_policy(options["policy"])
                if policy is None:
                    raise CommandError(f"no policy {options['policy']}")
                result = compute.ticket_deadlines(
                    calendar,
                    policy,
                    kind=Kind(options["kind"]),
                    mode=Mode(options["mode"]),
                    urgency=Urgency(options["urgency"]),
                    start=start,
                    catalog_days=options["catalog_days"],
                )
                deadline = result.reply
            else:
                period = self._period(options)
                deadline = compute.period_deadline(calendar, start, period)
        except (policies.PolicyError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        if deadline.due is None:
            raise CommandError("the clock is stopped")
        self.stdout.write(deadline.due.astimezone(SHANGHAI).isoformat())
        if options["explain"]:
            if result is not None:
                self.stdout.write(f"规则：{result.rule.label}（{result.rule.citation or '—'}）")
            for line in deadline.explanation:
                self.stdout.write(line)
            if result is not None:
                for label, extra in (("签收", result.sign), ("可退回至", result.return_until)):
                    if extra and extra.due:
                        moment = extra.due.astimezone(SHANGHAI)
                        self.stdout.write(f"{label}：{moment:%Y-%m-%d %H:%M}")
                for day in result.reminders:
                    self.stdout.write(f"催办：{day:%Y-%m-%d}")

    def _period(self, options) -> Period:
        if options["working_days"] is not None:
            return Period(PeriodUnit.WORKING_DAYS, options["working_days"])
        if options["working_hours"] is not None:
            return Period(PeriodUnit.WORKING_HOURS, options["working_hours"])
        if options["natural_hours"] is not None:
            return Period(PeriodUnit.NATURAL_HOURS, options["natural_hours"])
        raise CommandError("give --working-days, --working-hours, --natural-hours or --policy")
