"""In the browser: an operator attaches complaint evidence on the ticket page (the unit
does not see it), and the dispatcher merges a duplicate with one click (并入此工单)."""

import pytest

from e2e.conftest import login, screenshot
from hotline.accounts.models import User
from hotline.directory.models import Unit
from hotline.tickets import services as s
from hotline.tickets.models import Attachment

pytestmark = pytest.mark.browser

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


def _ticket(summary: str, phone: str, **kw):
    return s.ticket_create(
        actor=User.objects.get(username="operator1"),
        phone=phone,
        summary=summary,
        kind="complaint",
        detail=summary,
        **kw,
    )


def test_attachment_upload_on_the_ticket_page(page, demo):
    ticket = _ticket("餐馆油烟直排扰民", "13700005555")
    login(page, "operator1")
    page.goto(f"{page.base_url}/tickets/{ticket.number}/")
    form = page.locator("form.attach-form")
    form.locator("input[type=file]").set_input_files(
        files=[{"name": "现场照片.png", "mimeType": "image/png", "buffer": PNG}]
    )
    form.locator("input[name=evidence]").check()
    with page.expect_navigation():
        form.locator("button").click()
    page.wait_for_load_state("networkidle")
    assert "现场照片.png" in page.locator("#attachments").inner_text()
    screenshot(page, "ticket-attachments")
    assert Attachment.objects.get(ticket=ticket).evidence is True


def test_merge_into_this_from_the_duplicates(page, demo):
    dispatcher = User.objects.get(username="dispatcher1")
    target = _ticket("幸福小区3号楼电梯停运两周无人维修", "13700006666")
    s.ticket_dispatch(actor=dispatcher, ticket=target, lead=Unit.objects.get(code="QX-ZJJ"))
    dup = _ticket("幸福小区3号楼电梯停运两周没人修", "13700007777")
    login(page, "dispatcher1")
    page.goto(f"{page.base_url}/dispatch/?tab=pending&ticket={dup.number}")
    button = page.locator(f"button[data-merge-into='{target.number}']")
    button.wait_for()
    page.wait_for_load_state("networkidle")
    screenshot(page, "dispatch-merge")
    with page.expect_navigation():
        button.click()
    page.wait_for_load_state("networkidle")
    assert "msg-success" in page.content()
    dup.refresh_from_db()
    assert dup.status == "merged" and dup.merged_into == target
