"""Role-aware navigation and the workbench sections."""

import pytest
from django.urls import reverse

from hotline.accounts.models import Role
from hotline.accounts.navigation import SECTIONS
from hotline.accounts.permissions import ROLE_HOME


@pytest.mark.parametrize("role", Role.values)
def test_role_sees_only_its_sections(client, users, role):
    client.force_login(users[role])
    page = client.get(f"/{ROLE_HOME[role]}/")
    assert page.status_code == 200
    visible = {s.key for s in page.context["nav_sections"]}
    assert ROLE_HOME[role] in visible
    for section in SECTIONS:
        status = client.get(reverse(section.url_name)).status_code
        assert status == (200 if section.key in visible else 403), (role, section.key)


def test_navigation_is_chinese(client, users):
    client.force_login(users[Role.SUPERVISOR])
    body = client.get("/supervision/").content.decode()
    assert "督办" in body and "统计" in body and "受理" not in body


def test_operator_finds_a_unit_to_guide_the_caller(client, users):
    """R-HM-2: the operator looks up the responsible unit's line."""
    client.force_login(users[Role.OPERATOR])
    body = client.get("/intake/", {"q": "供水"}).content.decode()
    assert "青溪市供水有限公司" in body and "24小时" in body
    assert "没有与" in client.get("/intake/", {"q": "不存在的单位"}).content.decode()


def test_dispatch_marks_communities_as_assist_only(client, users):
    """ZS 6: residents' committees assist, never lead."""
    client.force_login(users[Role.DISPATCHER])
    body = client.get("/dispatch/").content.decode()
    assert "东门社区居民委员会" in body and "仅可协办" in body


def test_unit_clerk_sees_own_unit(client, users):
    client.force_login(users[Role.UNIT_CLERK])
    body = client.get("/inbox/").content.decode()
    assert users[Role.UNIT_CLERK].unit.name in body


def test_supervisor_sees_escalation_contacts(client, users):
    client.force_login(users[Role.SUPERVISOR])
    response = client.get("/supervision/")
    units = list(response.context["ladder_units"])
    assert units and all(u.head_phone for u in units)


def test_english_is_available(client, users):
    client.force_login(users[Role.OPERATOR])
    client.post(reverse("set_language"), {"language": "en", "next": "/intake/"})
    assert "Intake" in client.get("/intake/").content.decode()


def test_health_reports_database(client, db):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "tick": {"last_run_at": None, "age_seconds": None},
    }
    from django.core.management import call_command

    call_command("tick", "--once", stdout=__import__("io").StringIO())
    assert client.get("/health/").json()["tick"]["age_seconds"] >= 0


def test_domain_error_escaping_a_view_is_a_clear_page(rf, users):
    from hotline.core.errors import Conflict
    from hotline.core.middleware import DomainErrorMiddleware

    request = rf.get("/")
    request.user = users[Role.OPERATOR]
    response = DomainErrorMiddleware(lambda r: None).process_exception(
        request, Conflict("已被他人处理")
    )
    assert response.status_code == 409 and "已被他人处理" in response.content.decode()


def test_chinese_even_for_an_english_browser_until_english_is_chosen(client, db):
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "工作人员登录" in page
    client.cookies["django_language"] = "en"
    assert "Staff login" in client.get("/login/").content.decode()
