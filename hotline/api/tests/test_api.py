from hotline.accounts.models import Role


def test_api_needs_login(client, db):
    assert client.get("/api/me").status_code == 401


def test_me(client, users):
    client.force_login(users[Role.UNIT_CLERK])
    data = client.get("/api/me").json()
    assert data["role"] == "unit_clerk" and data["unit_code"] == users[Role.UNIT_CLERK].unit.code
    assert "handle" in data["capabilities"]


def test_units_and_structured_errors(client, users):
    client.force_login(users[Role.DISPATCHER])
    units = client.get("/api/units", {"kind": "utility"}).json()
    assert {u["code"] for u in units} == {"QX-SW", "QX-GD", "QX-RQ", "QX-DX"}
    missing = client.get("/api/units/NOPE")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


def test_openapi_schema_needs_login_outside_debug(client, users):
    """Issue 14 item 8: the API's map is not published to the world in production."""
    assert client.get("/api/openapi.json").status_code == 302
    assert client.get("/api/docs").status_code == 302
    client.force_login(users[Role.ANALYST])
    assert client.get("/api/openapi.json").status_code == 200
