"""Login, lockout, session expiry, roles and the permission table."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from hotline.accounts.models import LoginFailure, Role, User
from hotline.accounts.permissions import ROLE_CAPABILITIES, ROLE_HOME, Capability, can, require
from hotline.core.errors import PermissionDenied


def login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_page_is_chinese(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "工作人员登录" in body and "用户名" in body and "密码" in body


@pytest.mark.parametrize("role", Role.values)
def test_each_role_lands_on_its_home(client, users, role):
    user = users[role]
    response = login(client, user.username, f"{user.username}@12345")
    assert response.status_code == 302
    home = client.get(response["Location"])
    assert home.status_code == 302
    assert home["Location"] == f"/{ROLE_HOME[role]}/"
    page = client.get(home["Location"])
    assert page.status_code == 200


def test_wrong_password_shows_chinese_error_and_is_recorded(client, users):
    response = login(client, "operator1", "wrong")
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()
    assert LoginFailure.objects.filter(username="operator1").count() == 1


def test_lockout_after_repeated_failures_even_with_right_password(client, users):
    for _ in range(settings.HOTLINE_LOGIN_MAX_FAILURES):
        login(client, "operator1", "wrong")
    response = login(client, "operator1", "operator1@12345")
    assert response.status_code == 200
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lock_lifts_after_the_window(client, users):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False) as traveller:
        for _ in range(settings.HOTLINE_LOGIN_MAX_FAILURES):
            login(client, "operator1", "wrong")
        assert "登录失败次数过多" in login(client, "operator1", "operator1@12345").content.decode()
        traveller.shift(dt.timedelta(minutes=settings.HOTLINE_LOGIN_LOCK_MINUTES + 1))
        response = login(client, "operator1", "operator1@12345")
        assert response.status_code == 302
        assert LoginFailure.objects.filter(username="operator1").count() == 0


def test_lock_is_per_username(client, users):
    for _ in range(settings.HOTLINE_LOGIN_MAX_FAILURES):
        login(client, "operator1", "wrong")
    assert login(client, "operator2", "operator2@12345").status_code == 302


def test_sessions_expire_when_idle_and_at_browser_close():
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert 0 < settings.SESSION_COOKIE_AGE <= 8 * 3600


def test_logout_requires_post_and_ends_session(client, users):
    client.force_login(users[Role.OPERATOR])
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get("/intake/").status_code == 302


def test_every_role_has_capabilities_and_a_home():
    assert set(ROLE_CAPABILITIES) == set(Role.values)
    assert set(ROLE_HOME) == set(Role.values)


def test_unit_roles_handle_and_only_leaders_approve(users):
    assert can(users[Role.UNIT_CLERK], Capability.HANDLE)
    assert not can(users[Role.UNIT_CLERK], Capability.APPROVE_REPLY)
    assert can(users[Role.UNIT_LEADER], Capability.APPROVE_REPLY)
    assert not can(users[Role.OPERATOR], Capability.DISPATCH)


def test_analyst_does_not_see_personal_data(users):
    """R-SE: access to personal data only by role."""
    assert not can(users[Role.ANALYST], Capability.VIEW_PERSONAL_DATA)
    assert can(users[Role.OPERATOR], Capability.VIEW_PERSONAL_DATA)


def test_require_raises_domain_error(users):
    with pytest.raises(PermissionDenied):
        require(users[Role.ANALYST], Capability.MANAGE)


def test_inactive_user_has_no_capabilities(users):
    user = users[Role.OPERATOR]
    user.is_active = False
    assert not can(user, Capability.INTAKE)


@pytest.mark.django_db
def test_unit_roles_need_a_unit_and_operators_a_number():
    clerk = User(username="x", role=Role.UNIT_CLERK)
    with pytest.raises(ValidationError) as exc:
        clerk.full_clean()
    assert "unit" in exc.value.message_dict
    operator = User(username="y", role=Role.OPERATOR)
    with pytest.raises(ValidationError) as exc:
        operator.full_clean()
    assert "operator_no" in exc.value.message_dict


@pytest.mark.django_db
def test_operator_numbers_are_unique_but_blank_is_allowed_twice():
    from django.db import IntegrityError, transaction

    User.objects.create(username="a", role=Role.ANALYST)
    User.objects.create(username="b", role=Role.ANALYST)
    User.objects.create(username="c", role=Role.OPERATOR, operator_no="9001")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="d", role=Role.OPERATOR, operator_no="9001")


@pytest.mark.django_db
def test_createsuperuser_gets_admin_role():
    user = User.objects.create_superuser("root", "r@example.org", "x-very-long-pass")
    assert user.role == Role.ADMIN
