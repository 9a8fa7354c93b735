"""Reporting periods: a span of whole days, parsed from the query string, a month, the
period before and the same period a year earlier."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext

from hotline.core.errors import DomainError

MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class Span:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Span:
        """The period of the same length just before (a month: the previous month)."""
        if self.start.day == 1 and (self.end + timedelta(days=1)).day == 1:
            months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
            y, m = self.start.year, self.start.month - months
            while m < 1:
                y, m = y - 1, m + 12
            return Span(date(y, m, 1), self.start - timedelta(days=1))
        return Span(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def last_year(self) -> Span:
        def back(d: date) -> date:
            try:
                return d.replace(year=d.year - 1)
            except ValueError:  # 29 February
                return d.replace(year=d.year - 1, day=28)

        return Span(back(self.start), back(self.end))


def parse_span(start: str | date | None, end: str | date | None) -> Span:
    """A period from two ISO dates; a clear error for a bad one."""

    def one(value, label: str) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value or "").strip())
        except ValueError:
            raise DomainError(
                gettext("The %(label)s must be a date written YYYY-MM-DD") % {"label": label},
                code="bad_date",
            ) from None

    first, last = one(start, gettext("start date")), one(end, gettext("end date"))
    if last < first:
        raise DomainError(gettext("The end date is before the start date"), code="bad_period")
    if (last - first).days + 1 > MAX_DAYS:
        raise DomainError(
            gettext("The period may not be longer than 3 years"), code="period_too_long"
        )
    return Span(first, last)


def month_span(day: date) -> Span:
    first = day.replace(day=1)
    nxt = (first + timedelta(days=32)).replace(day=1)
    return Span(first, nxt - timedelta(days=1))
