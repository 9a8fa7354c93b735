"""Issue 14 items 2, 8 and 10: one login door and throttle, password rules and expiry,
two-factor login, session limits, the login audit, headers and the deploy check."""

import ast
import datetime as dt
import subprocess
import sys

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from hotline.accounts.models import Role, User
from hotline.core.models import AuditEvent

PROD = {
    "HOTLINE_2FA_REQUIRED_ROLES": ["admin", "city_leader"],
    "HOTLINE_PASSWORD_MAX_AGE_DAYS": 90,
    "HOTLINE_SESSION_ABSOLUTE_HOURS": 12,
}


def login(client, username, password, ip="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


# --- item 2: one door, per username+address and per address ------------------------------


def test_admin_login_is_the_same_door(client, users):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
    # An account locked on /login/ cannot use /admin/ either: there is no other form.
    for _ in range(settings.HOTLINE_LOGIN_MAX_FAILURES):
        login(client, "admin", "wrong")
    assert "登录失败次数过多" in login(client, "admin", "admin@12345").content.decode()
    assert client.get("/admin/").status_code == 302


def test_a_colleague_cannot_lock_someone_out_from_another_machine(client, users):
    for _ in range(settings.HOTLINE_LOGIN_MAX_FAILURES):
        login(client, "operator1", "wrong", ip="10.0.0.66")
    assert "登录失败次数过多" in login(client, "operator1", "x", ip="10.0.0.66").content.decode()
    assert login(client, "operator1", "operator1@12345", ip="10.0.0.1").status_code == 302


def test_one_address_trying_many_usernames_is_locked(client, users):
    for n in range(settings.HOTLINE_LOGIN_MAX_FAILURES_PER_ADDRESS):
        login(client, f"guess{n}", "wrong", ip="10.9.9.9")
    assert (
        "登录失败次数过多"
        in login(client, "operator2", "operator2@12345", ip="10.9.9.9").content.decode()
    )
    assert login(client, "operator2", "operator2@12345", ip="10.0.0.2").status_code == 302


# --- item 10: login audit ---------------------------------------------------------------


def test_login_logout_and_failures_are_audited(client, users):
    login(client, "operator1", "wrong")
    login(client, "operator1", "operator1@12345")
    client.post(reverse("logout"))
    kinds = list(AuditEvent.objects.order_by("id").values_list("kind", flat=True))
    assert kinds[-3:] == ["login_failed", "login", "logout"]
    failed = AuditEvent.objects.get(kind="login_failed")
    assert failed.data["username"] == "operator1" and failed.data["ip"] == "10.0.0.1"


# --- item 10: password rules ------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Ab1!", "short"),
        ("abcdefghijkl", "one class"),
        ("abcdefgh1234", "two classes"),
        ("Xoperator1!23", "has the username"),
    ],
)
def test_password_rules(users, password, reason):
    from django.contrib.auth.password_validation import validate_password

    with pytest.raises(ValidationError):
        validate_password(password, users[Role.OPERATOR])


def test_password_history_of_five(users):
    from django.contrib.auth.password_validation import validate_password

    user = users[Role.ANALYST]
    used = [f"Hotline#{n}Pass" for n in range(6)]
    for password in used:
        validate_password(password, user)
        user.set_password(password)
        user.save()
    for recent in used[-5:]:
        with pytest.raises(ValidationError):
            validate_password(recent, user)
    validate_password(used[0], user)  # the sixth-last may come back


def test_password_change_page_for_every_user(client, users):
    user = users[Role.UNIT_CLERK]
    client.force_login(user)
    page = client.get(reverse("password-change"))
    assert page.status_code == 200 and "new_password1" in page.content.decode()
    old = f"{user.username}@12345"
    weak = client.post(
        reverse("password-change"),
        {"old_password": old, "new_password1": "abc", "new_password2": "abc"},
    )
    assert weak.status_code == 200
    done = client.post(
        reverse("password-change"),
        {"old_password": old, "new_password1": "Zz9!hotline", "new_password2": "Zz9!hotline"},
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Zz9!hotline")
    assert AuditEvent.objects.filter(kind="password_changed", object_id=str(user.pk)).exists()


@override_settings(**PROD)
def test_administrator_reset_forces_a_change_at_next_login(client, users):
    admin = users[Role.ADMIN]
    TOTPDevice.objects.create(user=admin, name="a", confirmed=True)
    target = users[Role.OPERATOR]
    client.force_login(admin)
    session = client.session
    session["otp_device_id"] = TOTPDevice.objects.get(user=admin).persistent_id
    session.save()
    response = client.post(
        f"/admin/accounts/user/{target.pk}/password/",
        {"password1": "Reset#2026ab", "password2": "Reset#2026ab", "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    target.refresh_from_db()
    assert target.must_change_password and target.check_password("Reset#2026ab")
    client.logout()
    client.force_login(target)
    sent = client.get("/tickets/")
    assert sent.status_code == 302 and sent["Location"] == reverse("password-change")


@override_settings(**PROD)
def test_staff_password_expires(client, users):
    user = users[Role.DISPATCHER]
    client.force_login(user)
    assert client.get("/tickets/").status_code == 200
    User.objects.filter(pk=user.pk).update(
        password_changed_at=user.password_changed_at - dt.timedelta(days=91)
    )
    response = client.get("/tickets/")
    assert response.status_code == 302 and response["Location"] == reverse("password-change")
    api = client.get("/api/tickets")
    assert api.status_code == 401 and api.json()["error"]["code"] == "password_expired"


# --- item 10: two-factor login ----------------------------------------------------------


@override_settings(**PROD)
@pytest.mark.parametrize("role", [Role.ADMIN, Role.CITY_LEADER])
def test_admins_and_city_leaders_must_enrol(client, users, role):
    user = users[role]
    assert login(client, user.username, f"{user.username}@12345").status_code == 302
    response = client.get("/tickets/")
    assert response.status_code == 302 and response["Location"] == reverse("otp-enrol")
    page = client.get(reverse("otp-enrol"))
    assert page.status_code == 200 and "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    wrong = client.post(
        reverse("otp-enrol"), {"token": "000000" if code(device) != "000000" else "111111"}
    )
    assert wrong.status_code == 200
    # django-otp throttles after a failure (1 s, doubling); the next try comes later.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
    device.refresh_from_db()
    assert client.post(reverse("otp-enrol"), {"token": code(device)}).status_code == 302
    assert TOTPDevice.objects.get(user=user).confirmed
    assert client.get("/tickets/").status_code == 200
    assert AuditEvent.objects.filter(kind="second_factor_enrolled").exists()


@override_settings(**PROD)
def test_others_may_go_on_without_a_device(client, users):
    user = users[Role.OPERATOR]
    login(client, user.username, f"{user.username}@12345")
    assert client.get("/tickets/").status_code == 200


@override_settings(**PROD)
def test_enrolled_user_must_give_a_code_after_the_password(client, users):
    user = users[Role.OPERATOR]
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    login(client, user.username, f"{user.username}@12345")
    response = client.get("/tickets/")
    assert response.status_code == 302 and response["Location"] == reverse("otp-verify")
    assert client.get("/api/tickets").status_code == 401
    assert client.post(reverse("otp-verify"), {"token": "12"}).status_code == 200
    assert client.post(reverse("otp-verify"), {"token": code(device)}).status_code == 302
    assert client.get("/tickets/").status_code == 200


def test_production_requires_two_factor_for_admins_and_city_leaders():
    assert {"admin", "city_leader"} <= set(_prod_setting("HOTLINE_2FA_REQUIRED_ROLES"))


# --- item 10: session limits ------------------------------------------------------------


@override_settings(**PROD)
def test_absolute_session_limit(client, users):
    user = users[Role.OPERATOR]
    with time_machine.travel(dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC), tick=False) as t:
        login(client, user.username, f"{user.username}@12345")
        assert client.get("/tickets/").status_code == 200
        for _hour in range(13):  # active every hour: the idle limit never bites
            t.shift(dt.timedelta(hours=1))
            response = client.get("/tickets/")
        assert response.status_code == 302 and response["Location"].startswith("/login/")
        assert "_auth_user_id" not in client.session


def test_idle_limit_is_set():
    assert 0 < settings.SESSION_COOKIE_AGE <= 2 * 3600 and settings.SESSION_SAVE_EVERY_REQUEST


# --- item 8: headers --------------------------------------------------------------------


def test_personal_data_pages_are_not_stored_and_have_a_csp(client, users):
    client.force_login(users[Role.OPERATOR])
    response = client.get("/tickets/")
    assert "no-store" in response["Cache-Control"]
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]


# --- item 10: the deploy check with production settings -----------------------------------


def _prod_setting(name):
    out = subprocess.run(
        [sys.executable, "-c", f"from config import settings; print(repr(settings.{name}))"],
        capture_output=True,
        text=True,
        check=True,
        env=_prod_env(),
    )
    return ast.literal_eval(out.stdout)


def _prod_env():
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SECRET_KEY": "x" * 20 + "production-secret-key-with-enough-entropy-9f8e7d6c5b4a",
            "HOTLINE_HTTPS": "true",
            "ALLOWED_HOSTS": "12345.example.gov.cn",
            "DEBUG": "false",
        }
    )
    return env


def test_deploy_check_is_clean_with_production_settings():
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=_prod_env(),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert _prod_setting("SECURE_HSTS_SECONDS") >= 31536000
