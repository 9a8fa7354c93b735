"""Dispatch catalog (派单目录, R-HM-9): import, versions by effective date, suggestions."""

from datetime import date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from hotline.accounts.models import Role
from hotline.core.errors import PermissionDenied
from hotline.core.models import AuditEvent
from hotline.directory.catalog_importing import COLUMNS, template_csv
from hotline.directory.models import CatalogItem, Topic, Unit, UnitKind
from hotline.directory.selectors import catalog_in_force, catalog_suggest
from hotline.directory.services import ImportRejected, catalog_import, catalog_item_save
from hotline.directory.tests.files import csv_bytes, file_as

HEADER = [c.header for c in COLUMNS]  # 编码,事项名称,关键词,诉求分类编码,法律依据,…,失效日期


def row(
    code="T-1",
    matter="物业服务纠纷",
    keywords="物业，电梯、 物业",
    topic="010101",
    basis="《物业管理条例》",
    unit="QX-ZJJ",
    days="10",
    office="",
    start="2025-01-01",
    end="",
):
    return [code, matter, keywords, topic, basis, unit, days, office, start, end]


@pytest.fixture
def admin(users):
    return users[Role.ADMIN]


def load(admin, *rows):
    return catalog_import(actor=admin, file_name="c.csv", content=csv_bytes(HEADER, rows))


def rejected(admin, *rows):
    with pytest.raises(ImportRejected) as caught:
        load(admin, *rows)
    return [(e.row, e.column) for e in caught.value.errors]


@pytest.mark.parametrize("fmt", ["csv", "gbk", "xlsx"])
def test_r_hm_9_good_file_creates_items(admin, fmt):
    street = row(
        "T-2",
        "辖区老旧小区环境卫生",
        keywords="楼道杂物",
        topic="",
        basis="",
        unit="QX-CD",
        days="5个工作日",
        office="城市管理办公室",
        start="2025年3月1日",
    )
    rows = [row(), street]
    name, content = file_as(fmt, HEADER, rows)
    before = CatalogItem.objects.count()
    result = catalog_import(actor=admin, file_name=name, content=content)
    assert (result.created, result.updated) == (2, 0)
    assert CatalogItem.objects.count() == before + 2
    item = CatalogItem.objects.get(code="T-1")
    assert item.keywords == "物业、电梯"  # separators unified, repeats dropped
    assert item.topic.code == "010101" and item.unit.code == "QX-ZJJ"
    assert (item.deadline_days, item.effective_from, item.effective_to) == (
        10,
        date(2025, 1, 1),
        None,
    )
    street = CatalogItem.objects.get(code="T-2")
    assert street.internal_office == "城市管理办公室" and street.deadline_days == 5
    assert street.effective_from == date(2025, 3, 1) and street.topic is None
    assert AuditEvent.objects.filter(kind="catalog_imported").count() == 1


def test_bad_rows_report_every_error_and_import_nothing(admin):
    rows = [
        row(),  # row 2: fine
        row("T-3", unit="NOPE"),  # row 3: unknown unit
        row("T-4", days="0"),  # row 4: non-positive deadline
        row("T-5", days="-3"),  # row 5
        row("T-6", days="5天"),  # row 6: natural days are not working days
        row("T-7", start="2025-13-01"),  # row 7: bad date
        row("T-8", topic="999999"),  # row 8: unknown topic code
        row(),  # row 9: code and date again
        row("T-10", start="2025-05-01", end="2025-04-30"),  # row 10: ends before it starts
        row("T-11", matter=""),  # row 11: required
        row("T-12", unit="QX-BS"),  # row 12: a town without its internal office
        row("T-13", unit="QX-ML-ML"),  # row 13: a villagers' committee
    ]
    before = list(CatalogItem.objects.values_list("code", "effective_from"))
    with pytest.raises(ImportRejected) as caught:
        load(admin, *rows)
    # Rows that pass their own checks are checked against the directory in the same run.
    assert [(e.row, e.column) for e in caught.value.errors] == [
        (3, "承办单位编码"),
        (4, "办理时限"),
        (5, "办理时限"),
        (6, "办理时限"),
        (7, "生效日期"),
        (8, "诉求分类编码"),
        (9, "生效日期"),
        (10, "失效日期"),
        (11, "事项名称"),
        (12, "内设机构"),
        (13, "承办单位编码"),
    ]
    assert list(CatalogItem.objects.values_list("code", "effective_from")) == before
    assert not AuditEvent.objects.filter(kind="catalog_imported").exists()


def test_r_hm_11_zs_6_community_is_never_the_handling_unit(admin):
    """Residents'/villagers' committees may assist but never handle (ZS 6, R-HM-11)."""
    with pytest.raises(ImportRejected) as caught:
        load(admin, row(unit="QX-CD-DM"))
    (error,) = caught.value.errors
    assert error.column == "承办单位编码" and "东门社区居民委员会" in error.message
    assert "中山 第六条" in error.message
    assert not CatalogItem.objects.filter(code="T-1").exists()
    # The model refuses it too (admin forms call full_clean), and the admin's unit
    # choices leave committees out.
    item = CatalogItem(
        code="T-1",
        matter="x",
        unit=Unit.objects.get(code="QX-CD-DM"),
        deadline_days=5,
        effective_from=date(2025, 1, 1),
    )
    with pytest.raises(ValidationError) as invalid:
        item.full_clean()
    assert "unit" in invalid.value.message_dict
    field = CatalogItem._meta.get_field("unit")
    choices = Unit.objects.complex_filter(field.get_limit_choices_to())
    assert not choices.filter(kind=UnitKind.COMMUNITY).exists()
    assert choices.filter(code="QX-ZJJ").exists()


def test_r_hm_9_town_items_name_the_internal_office(admin):
    assert rejected(admin, row(unit="QX-CX")) == [(2, "内设机构")]
    result = load(admin, row(unit="QX-CX", office="城市管理办公室"))
    assert result.created == 1
    with pytest.raises(ValidationError):
        CatalogItem(
            code="T-9",
            matter="x",
            unit=Unit.objects.get(code="QX-CX"),
            deadline_days=5,
            effective_from=date(2025, 1, 1),
        ).full_clean()


def test_r_hm_9_a_later_version_closes_the_earlier_one(admin):
    load(admin, row(days="10", start="2025-01-01"))
    result = load(admin, row(days="5", start="2025-07-01"))
    assert (result.created, result.closed) == (1, 1)
    first, second = CatalogItem.objects.filter(code="T-1").order_by("effective_from")
    assert first.effective_to == date(2025, 6, 30) and second.effective_to is None

    def in_force(day):
        return [
            (i.deadline_days, i.effective_from) for i in catalog_in_force(on=day).filter(code="T-1")
        ]

    assert in_force(date(2024, 12, 31)) == []
    assert in_force(date(2025, 6, 30)) == [(10, date(2025, 1, 1))]
    assert in_force(date(2025, 7, 1)) == [(5, date(2025, 7, 1))]

    # The same file again changes nothing.
    again = load(admin, row(days="5", start="2025-07-01"))
    assert (again.created, again.updated, again.unchanged, again.closed) == (0, 0, 1, 0)
    # A version dated between the two ends the first and is ended by the second.
    load(admin, row(days="7", start="2025-04-01"))
    periods = [
        (i.effective_from, i.effective_to)
        for i in CatalogItem.objects.filter(code="T-1").order_by("effective_from")
    ]
    assert periods == [
        (date(2025, 1, 1), date(2025, 3, 31)),
        (date(2025, 4, 1), date(2025, 6, 30)),
        (date(2025, 7, 1), None),
    ]
    # A row for a stored version updates it in place.
    result = load(admin, row(matter="物业服务投诉", days="7", start="2025-04-01"))
    assert (result.created, result.updated) == (0, 1)
    assert CatalogItem.objects.get(code="T-1", effective_from=date(2025, 4, 1)).matter == (
        "物业服务投诉"
    )
    assert AuditEvent.objects.filter(kind="catalog_imported").count() == 5


def test_r_hm_9_several_versions_in_one_file_and_an_explicit_end(admin):
    result = load(
        admin,
        row(start="2025-07-01"),
        row(start="2025-01-01", end="2025-12-31"),  # clipped to the day before 07-01
        row("T-2", start="2025-01-01", end="2025-03-31"),  # a matter that was abolished
    )
    assert result.created == 3
    t1 = CatalogItem.objects.get(code="T-1", effective_from=date(2025, 1, 1))
    assert t1.effective_to == date(2025, 6, 30)
    assert not catalog_in_force(on=date(2025, 4, 1)).filter(code="T-2").exists()


def test_demo_catalog_has_versions_and_street_offices(demo):
    items = CatalogItem.objects.select_related("unit")
    assert 30 <= items.count() <= 50
    assert not items.filter(unit__kind=UnitKind.COMMUNITY).exists()
    for item in items.filter(unit__kind=UnitKind.TOWN):
        assert item.internal_office, item.code
    assert all(3 <= i.deadline_days <= 15 for i in items)
    assert catalog_in_force(on=date(2024, 3, 1)).get(code="PD-022").deadline_days == 10
    assert catalog_in_force(on=date(2024, 8, 1)).get(code="PD-022").deadline_days == 5
    assert Topic.objects.filter(level=1).count() == 8
    assert Topic.objects.get(code="010101").path == "城乡建设 > 住房 > 物业管理"
    for item in items:
        item.full_clean()


def test_demo_catalog_is_idempotent(demo):
    from hotline.directory.demo_data import build_demo_catalog

    before = sorted(CatalogItem.objects.values_list("code", "effective_from", "effective_to"))
    topics = Topic.objects.count()
    build_demo_catalog()
    after = sorted(CatalogItem.objects.values_list("code", "effective_from", "effective_to"))
    assert after == before and Topic.objects.count() == topics


# --- suggestions --------------------------------------------------------------------------

ON = date(2025, 1, 1)


def test_r_hm_9_suggestions_rank_by_matched_keyword_length(demo):
    found = catalog_suggest(text="工地夜间施工噪音太吵了，睡不着", on=ON)
    # 施工噪音(4) + 夜间施工(4) + 工地(2) + 噪音(2) beats 工业噪音's 噪音(2).
    assert [(s.item.code, s.score) for s in found] == [("PD-017", 12), ("PD-018", 2)]
    assert found[0].matched == ("施工噪音", "夜间施工", "工地", "噪音")
    assert found[0].item.unit.code == "QX-ZJJ"

    found = catalog_suggest(text="小区物业不管电梯，物业费还涨价", on=ON)
    assert found[0].item.code == "PD-001"
    assert set(found[0].matched) == {"物业", "物业费", "电梯"}


def test_suggestions_are_deterministic_and_limited(admin):
    rows = [row(f"Z-{n}", matter=f"事项{n}", keywords="井盖", topic="") for n in (3, 1, 2)]
    load(admin, *rows)
    found = catalog_suggest(text="路上井盖丢了", on=date(2025, 2, 1))
    # PD-004 (demo) also has 井盖; equal scores go by code.
    assert [s.item.code for s in found] == ["PD-004", "Z-1", "Z-2", "Z-3"]
    assert len(catalog_suggest(text="路上井盖丢了", on=date(2025, 2, 1), limit=2)) == 2
    # Full-width letters and case do not matter.
    load(admin, row("Z-9", keywords="WiFi", topic="", start="2025-01-01"))
    assert catalog_suggest(text="小区ｗｉｆｉ信号差", on=date(2025, 2, 1))[0].item.code == "Z-9"


def test_suggestions_only_from_items_in_force(admin):
    load(admin, row("F-1", keywords="共享单车", topic="", start="2026-01-01"))
    assert catalog_suggest(text="共享单车乱停", on=date(2025, 6, 1)) == []
    assert [s.item.code for s in catalog_suggest(text="共享单车乱停", on=date(2026, 1, 1))] == [
        "F-1"
    ]
    CatalogItem.objects.filter(code="F-1").update(active=False)
    assert catalog_suggest(text="共享单车乱停", on=date(2026, 1, 1)) == []
    assert catalog_suggest(text="   ", on=date(2026, 1, 1)) == []


# --- the rest ---------------------------------------------------------------------------


def test_only_administrators_import_or_edit_the_catalog(users):
    with pytest.raises(PermissionDenied):
        load(users[Role.DISPATCHER], row())
    item = CatalogItem.objects.get(code="PD-001")
    item.deadline_days = 1
    with pytest.raises(PermissionDenied):
        catalog_item_save(actor=users[Role.DISPATCHER], item=item)
    assert CatalogItem.objects.get(code="PD-001").deadline_days == 10


def test_file_level_errors(admin):
    with pytest.raises(ImportRejected) as caught:
        catalog_import(actor=admin, file_name="c.pdf", content=b"%PDF")
    assert caught.value.errors[0].row == 0
    with pytest.raises(ImportRejected) as caught:
        catalog_import(actor=admin, file_name="c.csv", content=csv_bytes(["编码", "颜色"], []))
    columns = {e.column for e in caught.value.errors}
    assert {"颜色", "事项名称", "承办单位编码", "办理时限", "生效日期"} <= columns


def test_template_round_trips(admin):
    result = catalog_import(actor=admin, file_name="t.csv", content=template_csv())
    assert result.created == 2
    assert len(HEADER) == len(template_csv().decode("utf-8-sig").splitlines()[0].split(","))


def test_excel_number_and_date_cells(admin):
    # Excel keeps 010101 typed as a number as 10101; the importer finds the topic.
    # Date cells arrive as dates, not text.
    start = datetime(2025, 2, 1)
    name, content = file_as("xlsx", HEADER, [row(topic=10101, days=10, start=start)])
    catalog_import(actor=admin, file_name=name, content=content)
    item = CatalogItem.objects.get(code="T-1")
    assert item.topic.code == "010101" and item.effective_from == date(2025, 2, 1)


def test_import_catalog_command(admin, tmp_path, capsys):
    path = tmp_path / "catalog.csv"
    path.write_bytes(csv_bytes(HEADER, [row()]))
    call_command("import_catalog", str(path))
    assert "created 1" in capsys.readouterr().out
    path.write_bytes(csv_bytes(HEADER, [row(start="2025-07-01")]))
    call_command("import_catalog", str(path), "--as", "admin")
    assert "closed 1" in capsys.readouterr().out
    path.write_bytes(csv_bytes(HEADER, [row(unit="QX-CD-DM")]))
    with pytest.raises(CommandError):
        call_command("import_catalog", str(path))
    assert "承办单位编码" in capsys.readouterr().err
