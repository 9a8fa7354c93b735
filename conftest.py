"""Shared fixtures: the demo city's units and accounts (one of every role)."""

import pytest

from hotline.accounts.models import Role


@pytest.fixture
def demo(db):
    from hotline.core.demo import build_demo_city

    build_demo_city()


@pytest.fixture
def users(demo):
    """One user per role, keyed by role value."""
    from hotline.accounts.models import User

    by_role = {}
    for user in User.objects.select_related("unit").order_by("username"):
        by_role.setdefault(user.role, user)
    assert set(by_role) == set(Role.values)
    return by_role
