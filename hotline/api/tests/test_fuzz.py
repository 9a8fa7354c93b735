"""Schemathesis against our own OpenAPI schema: no request may end in a server error.

Bounded: a few examples per operation, as a logged-in dispatcher (POSTs carry a CSRF
token, as a browser would), on the demo city.
"""

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from config.wsgi import application
from hotline.api.api import api

# The schema page needs a login outside DEBUG (issue 14 item 8): read the schema directly.
schema = schemathesis.openapi.from_dict(json.loads(json.dumps(api.get_openapi_schema())))
schema.app = application
schema.location = "/api/openapi.json"
CSRF = "a" * 32


def test_schema_is_valid_openapi():
    assert schema.raw_schema["openapi"].startswith("3.")
    assert len(list(schema.get_all_operations())) >= 15


@pytest.fixture(autouse=True)
def keep_connection():
    """Django's test client keeps the test's connection open across a request; the WSGI
    client schemathesis uses does not, and closing it would end the test transaction."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def dispatcher_cookie(client, users):
    client.force_login(users["dispatcher"])
    return client.cookies["sessionid"].value


@schema.parametrize()
@settings(max_examples=8, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case, dispatcher_cookie):
    case.cookies = {**(case.cookies or {}), "sessionid": dispatcher_cookie, "csrftoken": CSRF}
    response = case.call(headers={"X-CSRFToken": CSRF})
    assert response.status_code < 500, (case.method, case.path, response.text[:500])
