"""Topic tree import (诉求分类, R-IN-3): three layouts, all or nothing, stable codes."""

import csv
import io
import os
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from hotline.accounts.models import Role
from hotline.core.errors import PermissionDenied
from hotline.core.models import AuditEvent
from hotline.directory.models import CatalogItem, Topic
from hotline.directory.services import ImportRejected, topics_import
from hotline.directory.tests.files import csv_bytes, file_as
from hotline.directory.topic_importing import template_csv

TEDDY_HEADER = ["level1", "level2", "level3"]
# As in the Teddy Cup taxonomy: level-2 names repeat under different level-1 classes.
TEDDY = [
    ["城乡建设", "安全生产", "事故处理"],
    ["城乡建设", "安全生产", "安全隐患"],
    ["城乡建设", "住房", "物业管理"],
    ["劳动和社会保障", "安全生产", "工伤认定"],
]
CITY_HEADER = ["一级分类", "二级分类", "三级分类", "编码", "说明"]
DB44_HEADER = [
    "node_id",
    "level_1_code",
    "level_1_name",
    "level_2_code",
    "level_2_name",
    "level_3_code",
    "level_3_name",
    "remark",
    "source_pdf_page",
    "source_anomaly",
]


def db44(l1, n1, l2, n2, l3, n3, remark=""):
    return [f"x:{l3}", l1, n1, l2, n2, l3, n3, remark, "8", ""]


@pytest.fixture
def admin(users):
    return users[Role.ADMIN]


@pytest.fixture
def empty_tree(demo):
    """The demo city without its demo topics and catalog."""
    CatalogItem.objects.all().delete()
    for level in (3, 2, 1):
        Topic.objects.filter(level=level).delete()


def tree():
    return {t.code: (t.path, t.level) for t in Topic.objects.with_path()}


@pytest.mark.parametrize("fmt", ["csv", "gbk", "xlsx"])
def test_r_in_3_names_layout_codes_by_first_appearance(admin, empty_tree, fmt):
    name, content = file_as(fmt, TEDDY_HEADER, TEDDY)
    result = topics_import(actor=admin, file_name=name, content=content)
    assert (result.created, result.updated) == (9, 0)
    assert tree() == {
        "01": ("城乡建设", 1),
        "0101": ("城乡建设 > 安全生产", 2),
        "010101": ("城乡建设 > 安全生产 > 事故处理", 3),
        "010102": ("城乡建设 > 安全生产 > 安全隐患", 3),
        "0102": ("城乡建设 > 住房", 2),
        "010201": ("城乡建设 > 住房 > 物业管理", 3),
        "02": ("劳动和社会保障", 1),
        "0201": ("劳动和社会保障 > 安全生产", 2),  # the repeated level-2 name: its own code
        "020101": ("劳动和社会保障 > 安全生产 > 工伤认定", 3),
    }
    assert str(Topic.objects.get(code="010201")) == "城乡建设 > 住房 > 物业管理"
    audit = AuditEvent.objects.get(kind="topics_imported")
    assert audit.actor == admin and audit.data["layout"] == "names"


def test_reimport_is_idempotent_and_new_rows_never_renumber(admin, empty_tree):
    topics_import(actor=admin, file_name="t.csv", content=csv_bytes(TEDDY_HEADER, TEDDY))
    before = tree()
    again = topics_import(actor=admin, file_name="t.csv", content=csv_bytes(TEDDY_HEADER, TEDDY))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 9)
    assert tree() == before
    # A new level-2 class inserted in the middle of the file gets the next free code;
    # the topics already stored keep theirs.
    rows = [*TEDDY[:2], ["城乡建设", "市政", "道路维修"], *TEDDY[2:]]
    result = topics_import(actor=admin, file_name="t.csv", content=csv_bytes(TEDDY_HEADER, rows))
    assert result.created == 2
    assert tree() == before | {
        "0103": ("城乡建设 > 市政", 2),
        "010301": ("城乡建设 > 市政 > 道路维修", 3),
    }


def test_names_reuse_the_codes_of_the_stored_tree(admin):
    # The demo tree has 01 城乡建设 > 0101 住房 > 010101 物业管理.
    rows = [["城乡建设", "住房", "物业管理"], ["城乡建设", "住房", "租赁管理"]]
    result = topics_import(actor=admin, file_name="t.csv", content=csv_bytes(TEDDY_HEADER, rows))
    assert result.created == 1
    assert Topic.objects.get(name="租赁管理").code == "010104"  # 010101..010103 are taken


def test_city_layout_with_codes_and_descriptions(admin, empty_tree):
    rows = [
        ["城乡建设", "", "", "A", "住房城乡建设领域"],
        ["城乡建设", "住房", "", "A1", ""],
        ["城乡建设", "住房", "物业管理", "A1-01", "物业服务、物业收费"],
        ["城乡建设", "市政", "道路维修", "A2-01", ""],  # 市政 has no row of its own
    ]
    result = topics_import(actor=admin, file_name="t.csv", content=csv_bytes(CITY_HEADER, rows))
    assert result.created == 5
    assert tree() == {
        "A": ("城乡建设", 1),
        "A1": ("城乡建设 > 住房", 2),
        "A1-01": ("城乡建设 > 住房 > 物业管理", 3),
        "A01": ("城乡建设 > 市政", 2),  # no code given: the first free number under A
        "A2-01": ("城乡建设 > 市政 > 道路维修", 3),
    }
    assert Topic.objects.get(code="A1-01").description == "物业服务、物业收费"
    # Matched by code: a renamed topic is updated, not added.
    rows[2] = ["城乡建设", "住房", "物业服务", "A1-01", "物业服务、物业收费"]
    result = topics_import(actor=admin, file_name="t.csv", content=csv_bytes(CITY_HEADER, rows))
    assert (result.created, result.updated) == (0, 1)
    assert Topic.objects.get(code="A1-01").name == "物业服务"
    assert not Topic.objects.filter(name="物业管理").exists()


def test_db44_layout_keeps_the_standards_codes(admin, empty_tree):
    rows = [
        db44("01", "科教文体", "0101", "科技事务", "010101", "科技服务", "科技服务相关诉求"),
        db44("01", "科教文体", "0101", "科技事务", "010199", "其他科技事务"),
        # Empty level-3 name with code 010600: the level-2 class is not subdivided.
        db44("01", "科教文体", "0106", "新闻出版", "010600", "", "新闻出版业相关诉求"),
        db44("1", "科教文体", "101", "科技事务", "10102", "科研工作"),  # Excel dropped the 0s
    ]
    content = csv_bytes(DB44_HEADER, rows)
    result = topics_import(actor=admin, file_name="a.csv", content=content)
    assert result.created == 6
    assert tree() == {
        "01": ("科教文体", 1),
        "0101": ("科教文体 > 科技事务", 2),
        "010101": ("科教文体 > 科技事务 > 科技服务", 3),
        "010199": ("科教文体 > 科技事务 > 其他科技事务", 3),
        "0106": ("科教文体 > 新闻出版", 2),
        "010102": ("科教文体 > 科技事务 > 科研工作", 3),
    }
    assert not Topic.objects.filter(code="010600").exists()
    assert Topic.objects.get(code="0106").description == "新闻出版业相关诉求"
    assert Topic.objects.get(code="010101").description == "科技服务相关诉求"
    assert AuditEvent.objects.get(kind="topics_imported").data["layout"] == "db44t2479"


def test_db44_duplicate_printed_code_and_empty_names_are_errors(admin, empty_tree):
    """What happens to the quirks of the printed DB44/T 2479-2024 appendix."""
    rows = [
        db44("09", "民政社区", "0904", "生活服务", "090499", "其他生活服务"),  # row 2
        db44(
            "09", "民政社区", "0905", "民族宗教", "090499", "其他民族宗教"
        ),  # row 3: printed twice
        db44("09", "民政社区", "0905", "民族宗教", "090501", ""),  # row 4: empty name, not …00
        db44("09", "民政社区", "0906", "殡葬", "090700", "殡葬服务"),  # row 5: wrong parent
        db44("09", "民政社区", "906", "殡葬", "090601", "殡葬服务"),  # row 6: zero-padded, fine
        db44("9A", "民政社区", "0907", "其他", "090701", "其他"),  # row 7: not digits
    ]
    with pytest.raises(ImportRejected) as caught:
        topics_import(actor=admin, file_name="a.csv", content=csv_bytes(DB44_HEADER, rows))
    errors = [(e.row, e.column) for e in caught.value.errors]
    assert errors == [
        (3, "level_3_code"),
        (4, "level_3_name"),
        (5, "level_3_code"),
        (7, "level_1_code"),
    ]
    duplicate = caught.value.errors[0].message
    assert "090499" in duplicate and "2" in duplicate  # names the code and its first row
    assert not Topic.objects.exists()
    assert not AuditEvent.objects.filter(kind="topics_imported").exists()


def test_bad_rows_report_every_error_and_import_nothing(admin):
    before = tree()
    rows = [
        ["城乡建设", "住房", "物业管理", "", ""],  # row 2: fine
        ["城乡建设", "", "道路维修", "", ""],  # row 3: level 2 missing
        ["", "", "", "X1", ""],  # row 4: a code without a topic
        ["环境保护", "噪音", "施工", "bad code", ""],  # row 5: code characters
        ["环境保护", "噪" * 101, "", "", ""],  # row 6: name too long
        ["城乡建设", "住房", "物业管理", "", ""],  # row 7: same topic again
        ["交通运输", "公交", "", "T-1", ""],  # row 8: fine
        ["交通运输", "出租车", "", "T-1", ""],  # row 9: code used for another topic
        ["交通运输", "公交", "", "T-2", ""],  # row 10: a second code for 公交
    ]
    with pytest.raises(ImportRejected) as caught:
        topics_import(actor=admin, file_name="t.csv", content=csv_bytes(CITY_HEADER, rows))
    # Rows that pass their own checks are checked across rows in the same run.
    assert [(e.row, e.column) for e in caught.value.errors] == [
        (3, "二级分类"),
        (4, "一级分类"),
        (5, "编码"),
        (6, "二级分类"),
        (7, ""),
        (9, "编码"),
        (10, "编码"),
    ]
    assert tree() == before
    assert not AuditEvent.objects.filter(kind="topics_imported").exists()


def test_a_code_keeps_its_level(admin):
    # 01 is the demo tree's level-1 城乡建设; a file cannot make it a level-2 topic.
    rows = [["新类", "", "", "N", ""], ["新类", "新的二级", "", "01", ""]]
    with pytest.raises(ImportRejected) as caught:
        topics_import(actor=admin, file_name="t.csv", content=csv_bytes(CITY_HEADER, rows))
    assert [(e.row, e.column) for e in caught.value.errors] == [(3, "编码")]
    assert Topic.objects.get(code="01").level == 1


def test_file_level_errors(admin):
    def errors(name, content):
        with pytest.raises(ImportRejected) as caught:
            topics_import(actor=admin, file_name=name, content=content)
        return [(e.row, e.column) for e in caught.value.errors]

    assert errors("t.pdf", b"%PDF") == [(0, "")]
    assert errors("t.csv", b"") == [(0, "")]
    assert errors("t.xlsx", b"not a zip") == [(0, "")]
    assert errors("t.csv", csv_bytes(["编码", "名称"], [["01", "城乡建设"]])) == [(1, "")]
    assert errors("t.csv", csv_bytes(["一级分类", "颜色"], [["城乡建设", "红"]])) == [(1, "颜色")]
    assert errors("t.csv", csv_bytes(DB44_HEADER[:5], [])) == [
        (1, "level_3_code"),
        (1, "level_3_name"),
    ]


def test_only_administrators_import_topics(users):
    with pytest.raises(PermissionDenied):
        topics_import(
            actor=users[Role.DISPATCHER],
            file_name="t.csv",
            content=csv_bytes(TEDDY_HEADER, TEDDY),
        )


def test_template_round_trips(admin, empty_tree):
    result = topics_import(actor=admin, file_name="t.csv", content=template_csv())
    assert result.created == 3
    assert tree()["010101"] == ("城乡建设 > 住房 > 物业管理", 3)


def test_import_topics_command(admin, empty_tree, tmp_path, capsys):
    path = tmp_path / "topics.csv"
    path.write_bytes(csv_bytes(TEDDY_HEADER, TEDDY))
    call_command("import_topics", str(path))
    assert "created 9" in capsys.readouterr().out
    path.write_bytes(csv_bytes(TEDDY_HEADER, [["城乡建设", "", "道路维修"]]))
    with pytest.raises(CommandError):
        call_command("import_topics", str(path))
    err = capsys.readouterr().err
    assert "2" in err and "level2" in err
    with pytest.raises(CommandError):
        call_command("import_topics", str(tmp_path / "missing.csv"))


# --- the real public data, when this checkout has it beside it ------------------------

SHARED = Path(
    os.environ.get("HOTLINE_SHARED_DATA", Path(__file__).resolve().parents[4] / "shared" / "data")
)
TEDDY_FILE = SHARED / "teddy2020" / "taxonomy.csv"
DB44_FILE = SHARED / "db44t2479" / "appendix-a.csv"


@pytest.mark.skipif(not TEDDY_FILE.is_file(), reason=f"{TEDDY_FILE} is not available")
def test_real_teddy_cup_taxonomy(admin, empty_tree):
    content = TEDDY_FILE.read_bytes()
    result = topics_import(actor=admin, file_name=TEDDY_FILE.name, content=content)
    # 15 level-1 classes, 118 distinct level1/level2 pairs, 517 rows of level-3 names.
    levels = [Topic.objects.filter(level=n).count() for n in (1, 2, 3)]
    assert levels == [15, 118, 517] and result.created == 650
    assert tree()["01"] == ("城乡建设", 1)
    again = topics_import(actor=admin, file_name=TEDDY_FILE.name, content=content)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 650)


@pytest.mark.skipif(not DB44_FILE.is_file(), reason=f"{DB44_FILE} is not available")
def test_real_db44t2479_appendix(admin, empty_tree):
    content = DB44_FILE.read_bytes()
    with pytest.raises(ImportRejected) as caught:
        topics_import(actor=admin, file_name=DB44_FILE.name, content=content)
    # The one quirk that cannot be imported as printed: 090499 a second time, under 0905.
    (error,) = caught.value.errors
    assert error.column == "level_3_code" and "090499" in error.message
    lines = content.decode("utf-8").splitlines()
    assert "0905" in lines[error.row - 1] and "090499" in lines[error.row - 1]
    assert not Topic.objects.exists()

    # Give the second 090499 its own code and the whole appendix imports.
    rows = list(csv.reader(io.StringIO(content.decode("utf-8"))))
    rows[error.row - 1][5] = "090599"
    fixed = csv_bytes(rows[0], rows[1:])
    result = topics_import(actor=admin, file_name=DB44_FILE.name, content=fixed)
    levels = [Topic.objects.filter(level=n).count() for n in (1, 2, 3)]
    # 14 classes, 99 level-2 classes, 515 rows less the 13 with no level-3 name.
    assert levels == [14, 99, 502] and result.created == 615
    undivided = Topic.objects.filter(level=2, children__isnull=True)
    assert undivided.count() == 13 and all(t.description for t in undivided)
    assert tree()["090599"] == ("民政社区 > 民族宗教 > 其他民族宗教", 3)
