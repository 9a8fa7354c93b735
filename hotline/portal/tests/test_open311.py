"""Open311 GeoReport v2, exercised by a client that knows only the spec
(http://wiki.open311.org/GeoReport_v2): paths, parameters, formats, error lists."""

import json
from xml.etree import ElementTree as ET

import pytest
from django.core.management import call_command

from hotline.channels import services as channel_services
from hotline.channels.models import OnlineRequest
from hotline.portal.models import Open311App
from hotline.portal.open311 import key_hash

pytestmark = pytest.mark.django_db


class GeoReportClient:
    """Only what the GeoReport v2 spec says: base URL + resource + .json / .xml."""

    def __init__(self, http, base="/open311/v2/", api_key=""):
        self.http, self.base, self.api_key = http, base, api_key

    def _get(self, resource, fmt="json", **params):
        response = self.http.get(f"{self.base}{resource}.{fmt}", params)
        return response.status_code, self._decode(response, fmt)

    def _decode(self, response, fmt):
        if fmt == "xml":
            return ET.fromstring(response.content)
        return json.loads(response.content)

    def discovery(self):
        return self._get("discovery")

    def services(self, fmt="json"):
        return self._get("services", fmt)

    def service_definition(self, code):
        return self._get(f"services/{code}")

    def post_request(self, fmt="json", **fields):
        data = {"api_key": self.api_key, **fields}
        response = self.http.post(f"{self.base}requests.{fmt}", data)
        return response.status_code, self._decode(response, fmt)

    def requests(self, fmt="json", **params):
        return self._get("requests", fmt, **params)

    def request(self, request_id, fmt="json"):
        return self._get(f"requests/{request_id}", fmt)


@pytest.fixture
def key(demo, capsys):
    call_command("open311-key", name="随手拍")
    out = capsys.readouterr().out
    return out.splitlines()[0].split(": ", 1)[1]


@pytest.fixture
def geo(client, key):
    return GeoReportClient(client, api_key=key)


def test_key_is_printed_once_and_stored_hashed(key):
    app = Open311App.objects.get(name="随手拍")
    assert app.key_hash == key_hash(key) and key not in app.key_hash


def test_discovery_and_services(geo):
    status, info = geo.discovery()
    assert status == 200 and info["endpoints"][0]["specification"].endswith("GeoReport_v2")
    status, services = geo.services()
    assert status == 200 and services
    first = services[0]
    assert {"service_code", "service_name", "metadata", "type", "group"} <= set(first)
    status, xml = geo.services("xml")
    assert xml.tag == "services" and xml.find("service/service_code").text == first["service_code"]
    status, definition = geo.service_definition(first["service_code"])
    assert status == 200 and definition["service_code"] == first["service_code"]
    status, errors = geo.service_definition("NOPE")
    assert status == 404 and errors[0]["code"] == 404 and errors[0]["description"]


def test_post_and_read_a_request_json_and_xml(geo, users):
    code = geo.services()[1][0]["service_code"]
    status, created = geo.post_request(
        service_code=code,
        description="青溪路 12 号门口的井盖松动",
        address_string="青溪路 12 号",
        phone="13900002222",
        first_name="四",
        last_name="李",
    )
    assert status == 201
    request_id = created[0]["service_request_id"]
    online = OnlineRequest.objects.get(number=request_id)
    assert online.channel == "app" and online.state == "pending"
    status, rows = geo.request(request_id)
    assert status == 200 and rows[0]["status"] == "open"
    assert "等待热线审核受理" in rows[0]["status_notes"]
    assert "13900002222" not in json.dumps(rows, ensure_ascii=False)
    ticket = channel_services.online_request_accept(
        actor=users["operator"], request=online, kind="help"
    )
    status, rows = geo.request(request_id)
    assert rows[0]["status"] == "open" and rows[0]["status_notes"].startswith("已受理")
    status, rows = geo.requests(service_request_id=f"{ticket.number},NOPE")
    assert [r["service_request_id"] for r in rows] == [ticket.number]
    status, xml = geo.request(ticket.number, fmt="xml")
    assert xml.tag == "service_requests" and xml.find("request/status").text == "open"


def test_post_errors_use_the_spec_format(geo, client):
    status, errors = GeoReportClient(client, api_key="wrong").post_request(
        service_code="x", description="y"
    )
    assert status == 403 and errors == [{"code": 403, "description": errors[0]["description"]}]
    code = geo.services()[1][0]["service_code"]
    status, errors = geo.post_request(service_code=code, description="无地点")
    assert status == 400 and "location" in errors[0]["description"]
    status, errors = geo.post_request(
        service_code=code, description="有\x00空字符", address_string="某处", phone="13900002222"
    )
    assert status == 400 and "无效字符" in errors[0]["description"]
    status, xml = geo.post_request(fmt="xml", service_code=code, description="x")
    assert status == 400 and xml.tag == "errors" and xml.find("error/code").text == "400"
    assert not OnlineRequest.objects.exists()


def test_get_requests_filters_and_hides_confidential(geo, flow):
    public = flow.create(phone="13900003333", summary="路面坑洼")
    secret = flow.create(phone="13900004444", summary="举报某单位", confidential=True)
    flow.dispatch(public)
    status, rows = geo.requests(status="open")
    numbers = [r["service_request_id"] for r in rows]
    assert public.number in numbers and secret.number not in numbers
    assert geo.request(secret.number)[0] == 404
    row = next(r for r in rows if r["service_request_id"] == public.number)
    assert row["agency_responsible"] and row["expected_datetime"]
    assert geo.requests(status="closed")[1] == []
    status, errors = geo.requests(start_date="not a date")
    assert status == 400 and errors[0]["code"] == 400
    assert geo.requests(status="pending")[0] == 400
