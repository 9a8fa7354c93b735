"""Shared fixtures: the demo city's units and accounts (one of every role)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from hotline.accounts.models import Role, User
from hotline.directory.models import Unit

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language: a request in English leaves English active
    in its thread (the language middleware follows the user), and the next test on the
    same worker would otherwise write its messages in English."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def demo(db):
    from hotline.site.demo import build_demo_city

    build_demo_city()


@pytest.fixture
def users(demo):
    """One user per role, keyed by role value."""
    by_role = {}
    for user in User.objects.select_related("unit").order_by("username"):
        by_role.setdefault(user.role, user)
    assert set(by_role) == set(Role.values)
    return by_role


@pytest.fixture
def people(demo):
    return {u.username: u for u in User.objects.select_related("unit")}


@pytest.fixture
def units(demo):
    return {u.code: u for u in Unit.objects.all()}


@pytest.fixture
def at():
    """Travel to a Shanghai wall-clock moment: at(2025, 9, 26, 10)."""
    travellers = []

    def go(*args):
        if travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(dt.datetime(*args, tzinfo=SH), tick=False)
        traveller.start()
        travellers.append(traveller)

    yield go
    for traveller in travellers:
        traveller.stop()
