"""Reads compiled once (issue 14 item 11, hotline.core.fixed_reads): the same rows as the
ORM builds, the SQL compiled on the first call only, and a slot Django would change
refused instead of guessed at."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from hotline.accounts.backends import ModelBackend, _user_by_pk
from hotline.accounts.models import Role
from hotline.accounts.sessions import SessionStore
from hotline.core.fixed_reads import FixedRead, Slot
from hotline.directory.models import Unit
from hotline.directory.selectors import unit_by_code
from hotline.sla.models import PolicyVersion
from hotline.sla.selectors import default_policy_version


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _compiles(monkeypatch) -> list[int]:
    calls: list[int] = []
    original = SQLCompiler.as_sql

    def counting(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    return calls


def test_the_user_is_the_row_the_orm_reads_with_its_device_answer(users):
    user = users[Role.OPERATOR]
    backend = ModelBackend()
    for confirmed in (False, True):
        if confirmed:
            TOTPDevice.objects.create(user=user, name="app", confirmed=True)
        fixed = backend.get_user(user.pk)
        orm = _user_by_pk(user.pk).get()
        assert _fields(fixed) == _fields(orm)
        assert fixed.has_confirmed_device is orm.has_confirmed_device is confirmed
        assert fixed._state.db == "default" and not fixed._state.adding


def test_an_unknown_or_inactive_user_is_nobody(users):
    backend = ModelBackend()
    assert backend.get_user(987_654_321) is None
    assert backend.get_user("not a number") is None
    user = users[Role.OPERATOR]
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    assert backend.get_user(user.pk) is None


def test_compiled_on_the_first_call_only_and_one_statement_each(users, monkeypatch):
    read = FixedRead(Unit, lambda code: Unit.objects.filter(code=code), code=Slot.STR)
    codes = list(Unit.objects.values_list("code", flat=True)[:3])
    calls = _compiles(monkeypatch)
    with CaptureQueriesContext(connection) as queries:
        found = [read.first(code=code) for code in codes]
    assert [u.code for u in found] == codes
    assert len(calls) == 1 and len(queries) == 3
    assert read.first(code="NO-SUCH-UNIT") is None


def test_select_related_comes_populated_in_the_one_statement(demo):
    expected = (
        PolicyVersion.objects.filter(policy__is_default=True)
        .select_related("policy")
        .order_by("-number", "-pk")
        .first()
    )
    default_policy_version()  # compiled
    with CaptureQueriesContext(connection) as queries:
        version = default_policy_version()
        assert version.policy.is_default and version.policy.name == expected.policy.name
    assert len(queries) == 1
    assert _fields(version) == _fields(expected)  # the JSON data converted as the ORM does


def test_the_session_row_converted_as_the_orm_does_and_expiry_checked_here(db):
    store = SessionStore()
    store["x"] = 1
    store.create()
    key = store.session_key
    again = SessionStore(key)
    assert again["x"] == 1
    assert again._stored_expiry == Session.objects.get(session_key=key).expire_date
    assert again._stored_expiry.tzinfo is not None
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(1))
    expired = SessionStore(key)
    assert "x" not in expired and expired.session_key is None


def test_a_slot_django_would_change_is_refused_at_compile_time(db):
    read = FixedRead(Unit, lambda code: Unit.objects.filter(name__contains=code), code=Slot.STR)
    with pytest.raises(ImproperlyConfigured, match="must appear once"):
        read.first(code="x")


def test_unit_by_code_matches_the_orm(demo):
    unit = Unit.objects.order_by("pk").last()
    assert _fields(unit_by_code(unit.code)) == _fields(unit)
    assert unit_by_code("") is None
