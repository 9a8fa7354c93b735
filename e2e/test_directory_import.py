"""An administrator imports a unit file with bad rows in the browser: errors shown, nothing kept."""

import pytest

from e2e.conftest import login, screenshot
from hotline.directory.models import Unit

pytestmark = pytest.mark.browser

BAD_FILE = (
    "编码,名称,类型,上级编码,联络员电话\n"
    "NEW-T,新城街道办事处,镇街,QX,13800000001\n"
    ",没有编码,市直部门,QX,\n"
    "BAD-K,类型错误,衙门,QX,\n"
    "BAD-P,电话错误,市直部门,QX,call me\n"
).encode()


def test_bad_file_lists_errors_and_imports_nothing(page, demo, tmp_path):
    before = Unit.objects.count()
    path = tmp_path / "units.csv"
    path.write_bytes(BAD_FILE)
    login(page, "admin")
    page.goto(page.base_url + "/directory/import/")
    page.set_input_files("input[type=file]", str(path))
    page.click("button[type=submit]")
    errors = page.locator("#import-errors tbody tr")
    assert errors.count() == 3
    assert "未导入任何数据" in page.locator("#import-errors h2").inner_text()
    screenshot(page, "directory-import-errors")
    assert Unit.objects.count() == before
    good = tmp_path / "good.csv"
    good.write_bytes(BAD_FILE.split(b"\n", 2)[0] + b"\n" + BAD_FILE.split(b"\n")[1] + b"\n")
    page.set_input_files("input[type=file]", str(good))
    page.click("button[type=submit]")
    assert "新增 1 个" in page.locator(".messages").inner_text()
    assert Unit.objects.count() == before + 1
