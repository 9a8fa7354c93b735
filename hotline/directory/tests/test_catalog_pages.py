"""Topic and catalog pages: staff read, administrators import, anonymous users log in."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hotline.accounts.models import Role
from hotline.core.models import AuditEvent
from hotline.directory.catalog_importing import COLUMNS
from hotline.directory.models import CatalogItem, Topic, Unit
from hotline.directory.selectors import today
from hotline.directory.tests.files import csv_bytes

READ_PAGES = [
    "/directory/topics/",
    "/directory/catalog/",
    "/directory/catalog/suggest/?text=物业",
    "/directory/catalog/items/PD-001/",
]
IMPORT_PAGES = [
    "/directory/topics/import/",
    "/directory/topics/import/template.csv",
    "/directory/catalog/import/",
    "/directory/catalog/import/template.csv",
]
STAFF = [r for r in Role.values if r != Role.ADMIN]


@pytest.fixture
def admin(users):
    return users[Role.ADMIN]


@pytest.mark.parametrize("role", Role.values)
def test_pages_render_for_every_staff_role(client, users, role):
    client.force_login(users[role])
    for path in READ_PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
    body = client.get("/directory/catalog/").content.decode()
    assert "物业服务纠纷" in body and "市住房和城乡建设局" in body and "《物业管理条例》" in body


@pytest.mark.parametrize("role", STAFF)
def test_imports_are_refused_to_everyone_but_administrators(client, users, role):
    client.force_login(users[role])
    for path in IMPORT_PAGES:
        assert client.get(path).status_code == 403, path
    upload = SimpleUploadedFile("c.csv", b"x", content_type="text/csv")
    assert client.post("/directory/catalog/import/", {"file": upload}).status_code == 403
    assert "/directory/catalog/import/" not in client.get("/directory/catalog/").content.decode()


def test_anonymous_visitors_are_sent_to_login(client):
    for path in READ_PAGES + IMPORT_PAGES:
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), path


def test_topic_tree_and_htmx_search(client, users):
    client.force_login(users[Role.OPERATOR])
    body = client.get("/directory/topics/").content.decode()
    assert "城乡建设" in body and "物业管理" in body and "卫生健康" in body
    partial = client.get("/directory/topics/", {"q": "物业"}, HTTP_HX_REQUEST="true")
    text = partial.content.decode()
    assert "物业管理" in text and "城乡建设" in text  # the match and its ancestors
    assert "卫生健康" not in text and "<html" not in text
    empty = client.get("/directory/topics/", {"q": "不存在的分类"}, HTTP_HX_REQUEST="true")
    assert "不存在的分类" in empty.content.decode()


def test_catalog_filters(client, users):
    client.force_login(users[Role.DISPATCHER])

    def codes(**params):
        response = client.get("/directory/catalog/", params, HTTP_HX_REQUEST="true")
        assert response.status_code == 200 and "<html" not in response.content.decode()
        page = response.context["page"]
        return [item.code for item in page.object_list]

    assert codes(q="噪音") == ["PD-017", "PD-018"]
    assert codes(unit="QX-RSJ") == ["PD-022", "PD-023", "PD-024"]
    assert codes(q="欠薪", on="2024-03-01") == ["PD-022"]
    response = client.get("/directory/catalog/", {"q": "欠薪", "on": "2024-03-01"})
    assert "10 个工作日" in response.content.decode() or "10 working days" in (
        response.content.decode()
    )
    assert codes(q="欠薪", on="2023-06-01") == ["PD-022"]
    assert codes(q="物业", on="2020-01-01") == []  # before the demo catalog took effect
    assert codes(q="欠薪", all_versions="on") == ["PD-022", "PD-022"]
    # A bad date shows its error and falls back to today.
    response = client.get("/directory/catalog/", {"on": "2024-02-30"})
    assert response.status_code == 200 and response.context["form"].errors


def test_catalog_defaults_to_today_and_paginates_on_the_server(client, users, admin):
    unit = Unit.objects.get(code="QX-JTJ")
    CatalogItem.objects.bulk_create(
        CatalogItem(
            code=f"BULK-{n:03d}",
            matter=f"批量事项{n}",
            unit=unit,
            deadline_days=5,
            effective_from=date(2020, 1, 1),
        )
        for n in range(60)
    )
    client.force_login(users[Role.OPERATOR])
    first = client.get("/directory/catalog/", {"q": "批量"})
    page = first.context["page"]
    assert page.paginator.count == 60 and len(page.object_list) == 50
    assert first.context["day"] == today()
    second = client.get("/directory/catalog/", {"q": "批量", "page": 2}, HTTP_HX_REQUEST="true")
    assert len(second.context["page"].object_list) == 10
    assert "q=%E6%89%B9%E9%87%8F&amp;page=1" in second.content.decode()


def test_catalog_day_comes_from_the_clock(client, users):
    """Without a date the list shows what is in force today in Asia/Shanghai."""
    client.force_login(users[Role.OPERATOR])
    # 2024-06-30 16:30 UTC is already 2024-07-01 in Shanghai: the new PD-022 applies.
    with time_machine.travel(datetime(2024, 6, 30, 16, 30, tzinfo=UTC), tick=False):
        response = client.get("/directory/catalog/")
        items = {i.code: i for i in response.context["page"].object_list}
    assert response.context["day"] == date(2024, 7, 1)
    assert items["PD-022"].deadline_days == 5
    with time_machine.travel(datetime(2024, 6, 30, 15, 30, tzinfo=UTC), tick=False):
        items = {i.code: i for i in client.get("/directory/catalog/").context["page"].object_list}
    assert items["PD-022"].deadline_days == 10


def test_catalog_detail_lists_versions(client, users):
    client.force_login(users[Role.UNIT_CLERK])
    response = client.get("/directory/catalog/items/PD-022/")
    body = response.content.decode()
    assert response.status_code == 200 and len(response.context["versions"]) == 2
    assert "2023-01-01" in body and "2024-06-30" in body and "2024-07-01" in body
    assert client.get("/directory/catalog/items/NOPE/").status_code == 404


def test_suggest_partial_shows_matched_keywords(client, users):
    client.force_login(users[Role.OPERATOR])
    response = client.get(
        "/directory/catalog/suggest/",
        {"text": "小区物业不管电梯", "on": "2025-01-01"},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert "物业服务纠纷" in body and "市住房和城乡建设局" in body
    assert '<span class="tag">物业</span>' in body and '<span class="tag">电梯</span>' in body
    assert [s.item.code for s in response.context["suggestions"]][:1] == ["PD-001"]
    nothing = client.get("/directory/catalog/suggest/", {"text": "火星探测"})
    assert nothing.context["suggestions"] == [] and "火星探测" not in nothing.content.decode()


def test_catalog_import_page_lists_errors_and_keeps_nothing(client, admin):
    client.force_login(admin)
    header = [c.header for c in COLUMNS]
    rows = [
        ["T-1", "事项", "", "", "", "QX-ZJJ", "0", "", "2025-01-01", ""],
        ["T-2", "事项", "", "", "", "QX-CD-DM", "5", "", "2025-01-01", ""],
    ]
    upload = SimpleUploadedFile("c.csv", csv_bytes(header, rows), content_type="text/csv")
    response = client.post("/directory/catalog/import/", {"file": upload})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="import-errors"' in body and "办理时限" in body
    assert not CatalogItem.objects.filter(code__in=["T-1", "T-2"]).exists()


def test_catalog_import_page_success(client, admin):
    client.force_login(admin)
    header = [c.header for c in COLUMNS]
    rows = [["T-1", "事项", "井盖", "010201", "", "QX-ZJJ", "5", "", "2025-01-01", ""]]
    upload = SimpleUploadedFile("c.csv", csv_bytes(header, rows), content_type="text/csv")
    response = client.post("/directory/catalog/import/", {"file": upload})
    assert response.status_code == 302 and response["Location"] == "/directory/catalog/"
    assert CatalogItem.objects.get(code="T-1").topic.name == "道路维修"


def test_topic_import_page(client, admin):
    client.force_login(admin)
    page = client.get("/directory/topics/import/").content.decode()
    assert "level_1_code" in page and "一级分类" in page
    rows = [["城乡建设", "住房", "租赁管理"]]
    content = csv_bytes(["level1", "level2", "level3"], rows)
    response = client.post(
        "/directory/topics/import/", {"file": SimpleUploadedFile("t.csv", content)}
    )
    assert response.status_code == 302
    assert Topic.objects.get(name="租赁管理").path == "城乡建设 > 住房 > 租赁管理"
    bad = csv_bytes(["level1", "level2", "level3"], [["城乡建设", "", "租赁"]])
    response = client.post("/directory/topics/import/", {"file": SimpleUploadedFile("t.csv", bad)})
    assert response.status_code == 400 and "level2" in response.content.decode()
    template = client.get("/directory/topics/import/template.csv")
    assert template["Content-Disposition"].endswith('"topics-template.csv"')
    assert template.content.decode("utf-8-sig").startswith("一级分类,二级分类,三级分类,编码")
    catalog = client.get("/directory/catalog/import/template.csv")
    assert catalog.content.decode("utf-8-sig").startswith("编码,事项名称,关键词,诉求分类编码")


def test_admin_site_for_topics_and_catalog(client, admin):
    client.force_login(admin)
    for name in [
        "admin:directory_topic_changelist",
        "admin:directory_topic_add",
        "admin:directory_catalogitem_changelist",
        "admin:directory_catalogitem_add",
    ]:
        assert client.get(reverse(name)).status_code == 200, name
    changelist = client.get(reverse("admin:directory_catalogitem_changelist"), {"q": "物业"})
    assert "物业服务纠纷" in changelist.content.decode()

    # The unit autocomplete of a catalog item leaves committees out (ZS 6).
    def units(term):
        query = {"app_label": "directory", "model_name": "catalogitem", "field_name": "unit"}
        response = client.get("/admin/autocomplete/", {**query, "term": term})
        assert response.status_code == 200
        return [r["text"] for r in response.json()["results"]]

    assert units("住房") == ["市住房和城乡建设局"]
    assert units("委员会") == []


def test_manage_section_and_directory_links(client, admin, users):
    client.force_login(admin)
    body = client.get(reverse("section-manage")).content.decode()
    assert "/directory/topics/" in body and "/directory/catalog/import/" in body
    client.force_login(users[Role.OPERATOR])
    body = client.get("/directory/").content.decode()
    assert "/directory/topics/" in body and "/directory/catalog/" in body


def test_admin_edits_go_through_the_service(client, admin):
    """A version added on the admin site ends the version before it (R-HM-9)."""
    client.force_login(admin)
    form = {
        "code": "PD-022",
        "matter": "拖欠工资",
        "keywords": "欠薪",
        "topic": "",
        "legal_basis": "《保障农民工工资支付条例》",
        "unit": Unit.objects.get(code="QX-RSJ").pk,
        "internal_office": "",
        "deadline_days": "3",
        "effective_from": "2025-01-01",
        "effective_to": "",
        "active": "on",
    }
    response = client.post(reverse("admin:directory_catalogitem_add"), form)
    assert response.status_code == 302
    earlier = CatalogItem.objects.get(code="PD-022", effective_from=date(2024, 7, 1))
    assert earlier.effective_to == date(2024, 12, 31)
    assert AuditEvent.objects.filter(kind="catalog_item_created", actor=admin).count() == 1
    # A villagers' committee is refused on the form (ZS 6, R-HM-11).
    form |= {"effective_from": "2025-06-01", "unit": Unit.objects.get(code="QX-ML-ML").pk}
    response = client.post(reverse("admin:directory_catalogitem_add"), form)
    assert response.status_code == 200 and response.context["adminform"].form.errors
    assert not CatalogItem.objects.filter(code="PD-022", effective_from=date(2025, 6, 1)).exists()
