"""Numbered PDF documents (WeasyPrint + Noto CJK), the monthly bulletin as Excel and PDF,
and the pages that show them (R-SV-2, R-SV-3, R-SV-6)."""

import shutil
import subprocess
from io import BytesIO

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from hotline.site.tick import run_once
from hotline.supervision import documents, pdf
from hotline.supervision import sweep as sweeper
from hotline.supervision.models import Document
from hotline.tickets.tests.conftest import *  # noqa: F403 - the flow fixtures


def require_cjk_font():
    """The PDFs are Chinese: without Debian's fonts-noto-cjk they would show boxes."""
    listed = ""
    if shutil.which("fc-list"):
        listed = subprocess.run(["fc-list"], capture_output=True, text=True).stdout
    if "Noto Serif CJK SC" not in listed or "Noto Sans CJK SC" not in listed:
        pytest.fail(
            "The Noto CJK fonts are not installed (fc-list shows no 'Noto Serif CJK SC' / "
            "'Noto Sans CJK SC'): apt-get install fonts-noto-cjk",
            pytrace=False,
        )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def escalated(flow, at, media):
    """A KJ consultation climbed to the supervision letter (Sat 2026-10-10, 调休)."""
    at(2026, 9, 23, 10, 0)
    ticket = flow.to("handling", assists=(), kind="consult", summary="咨询公积金提取")
    for moment in [
        (2026, 9, 24, 8, 31),
        (2026, 9, 30, 8, 30),
        (2026, 10, 8, 8, 30),
        (2026, 10, 10, 8, 30),
    ]:
        at(*moment)
        sweeper.sweep()
    return ticket


def test_the_tick_renders_the_letter_as_a_cjk_pdf(escalated, settings, at):
    require_cjk_font()
    settings.HOTLINE_SMS_URL = ""
    letter = Document.objects.get(kind="letter")
    assert not letter.file
    result = run_once()
    assert result["documents"] == {"rendered": 1, "failed": 0}
    assert run_once()["documents"] == {"rendered": 0, "failed": 0}  # rendered once only
    letter.refresh_from_db()
    content = letter.file.read()
    assert content.startswith(b"%PDF")
    fonts = pdf.fonts_used(pdf.document_html(letter))
    assert any(f.startswith("Noto-Serif-CJK-SC") for f in fonts), fonts  # body
    assert any(f.startswith("Noto-Sans-CJK-SC") for f in fonts), fonts  # title
    assert letter.file.name.startswith("supervision/2026/letter-2026-0001")


def test_a_failing_render_is_retried_later_and_never_stops_the_tick(escalated, monkeypatch):
    def broken(document):
        raise OSError("no fonts")

    monkeypatch.setattr(pdf, "document_pdf", broken)
    assert documents.render_pending() == {"rendered": 0, "failed": 1}
    letter = Document.objects.get(kind="letter")
    assert letter.render_attempts == 1 and "no fonts" in letter.render_error


def test_who_may_download_a_letter(escalated, client, people):
    require_cjk_font()
    letter = Document.objects.get(kind="letter")
    url = f"/supervision/documents/{letter.pk}.pdf"
    client.force_login(people["zjj_clerk"])  # the addressed unit
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    client.force_login(people["cgj_clerk"])  # another unit
    assert client.get(url).status_code == 404
    client.force_login(people["supervisor1"])
    assert client.get(url).status_code == 200


def test_board_and_ticket_show_the_ladder_level(escalated, client, people):
    client.force_login(people["supervisor1"])
    body = client.get("/supervision/", {"level": "red"}).content.decode()
    assert escalated.number in body and "发送督办函" in body  # level 3, the letter
    assert "青溪12345督〔2026〕1号" in body
    assert 'id="ladder"' in body and "分管领导催办" in body
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = people["zjj_clerk"]
    html = render_to_string(
        "supervision/_ticket_documents.html", {"ticket": escalated, "request": request}
    )
    assert "青溪12345督〔2026〕1号" in html and "主要负责人催办" in html


def test_criticism_list_and_bulletin_pages(escalated, client, people, at):
    for moment in [(2026, 10, 14, 8, 30), (2026, 10, 16, 8, 30)]:
        at(*moment)
        sweeper.sweep()
    client.force_login(people["analyst1"])
    body = client.get("/supervision/criticism/", {"month": "2026-10"}).content.decode()
    assert escalated.number in body and "市住房和城乡建设局" in body
    assert (
        escalated.number
        not in client.get("/supervision/criticism/", {"month": "2026-09"}).content.decode()
    )
    body = client.get("/supervision/bulletin/", {"month": "2026-10"}).content.decode()
    assert 'id="bulletin"' in body and "市住房和城乡建设局" in body
    response = client.get("/supervision/bulletin/2026-10.xlsx")
    sheet = load_workbook(BytesIO(response.content)).worksheets[0]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=3, values_only=True)}
    # unit, dispatched, reminders, urged, letters, recommendations, overdue, criticised
    assert rows["市住房和城乡建设局"][3:] == (1, 1, 1, 0, 1)
    criticism = load_workbook(BytesIO(response.content)).worksheets[1]
    assert [r[1] for r in criticism.iter_rows(min_row=2, values_only=True)] == [escalated.number]
    client.force_login(people["zjj_clerk"])
    assert client.get("/supervision/bulletin/").status_code == 403


def test_bulletin_pdf_and_command(escalated, client, people, tmp_path):
    require_cjk_font()
    client.force_login(people["supervisor1"])
    response = client.get("/supervision/bulletin/2026-10.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert client.get("/supervision/bulletin/2026-13.pdf").status_code == 404
    call_command("bulletin", month="2026-10", out=str(tmp_path / "out"))
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "bulletin-2026-10.pdf",
        "bulletin-2026-10.xlsx",
    ]


def test_supervisor_issues_a_letter_by_hand(flow, people, client, at, media):
    at(2026, 9, 23, 10, 0)
    ticket = flow.to("handling", assists=())
    lead = flow.lead(ticket)
    client.force_login(people["operator1"])
    assert client.post(f"/supervision/issue/{lead.pk}/", {"kind": "letter"}).status_code == 403
    client.force_login(people["supervisor1"])
    response = client.post(
        f"/supervision/issue/{lead.pk}/",
        {"kind": "recommendation", "note": "限期整改"},
        follow=True,
    )
    assert "青溪12345效〔2026〕1号" in response.content.decode()
    assert ticket.events.filter(kind="efficiency_recommendation").count() == 1
