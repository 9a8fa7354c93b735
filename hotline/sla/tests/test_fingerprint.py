"""The calendar's fingerprint, asked for on every dispatch (issue 14 item 11): one
statement that reads each calendar table once, and it changes with every edit."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hotline.accounts.models import Role
from hotline.sla import selectors, services

pytestmark = pytest.mark.django_db


def test_the_fingerprint_is_one_statement_reading_each_table_once():
    with CaptureQueriesContext(connection) as captured:
        selectors._fingerprint()
    assert len(captured.captured_queries) == 1
    sql = captured.captured_queries[0]["sql"]
    # Six scalar subqueries (three per table) cost PostgreSQL twice the planning.
    assert sql.count("sla_calendarday") == 1 and sql.count("sla_officialyear") == 1, sql


def test_the_fingerprint_changes_with_every_edit_of_the_calendar(users):
    admin = users[Role.ADMIN]
    seen = [selectors._fingerprint()]
    services.calendar_override_set(actor=admin, day=date(2025, 7, 15), workday=False, reason="停工")
    seen.append(selectors._fingerprint())
    services.calendar_override_set(actor=admin, day=date(2025, 7, 19), workday=True, reason="补班")
    seen.append(selectors._fingerprint())
    services.calendar_override_remove(actor=admin, day=date(2025, 7, 15))
    seen.append(selectors._fingerprint())
    assert len(set(seen)) == len(seen)
    assert selectors._fingerprint() == seen[-1]  # unchanged while nothing changes
