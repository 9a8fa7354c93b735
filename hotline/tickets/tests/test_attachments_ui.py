"""Attachments have an interface (R-DA-1, KM 19): staff upload on the ticket page and
through the API, with the model's limits; units never file or see complaint evidence."""

from django.core.files.uploadedfile import SimpleUploadedFile

from hotline.tickets.models import Attachment

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


def test_operator_uploads_evidence_on_the_page(client, people, flow):
    ticket = flow.to("handling", kind="complaint")
    client.force_login(people["operator1"])
    page = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert 'name="evidence"' in page and 'enctype="multipart/form-data"' in page
    response = client.post(
        f"/tickets/{ticket.number}/files/",
        {"file": SimpleUploadedFile("录音.png", PNG), "evidence": "on"},
        follow=True,
    )
    assert "msg-success" in response.content.decode()
    assert Attachment.objects.get().evidence is True
    client.force_login(people["zjj_clerk"])
    page = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert "录音.png" not in page and 'name="evidence"' not in page


def test_bad_file_refused_with_a_message_and_nothing_saved(client, people, flow):
    ticket = flow.to("handling")
    client.force_login(people["operator1"])
    response = client.post(
        f"/tickets/{ticket.number}/files/",
        {"file": [SimpleUploadedFile("a.png", PNG), SimpleUploadedFile("b.exe", b"MZ")]},
        follow=True,
    )
    assert "不支持的附件类型" in response.content.decode()
    assert not Attachment.objects.exists()  # the good one is not kept either


def test_api_upload_and_unit_evidence_refused(client, people, flow):
    ticket = flow.to("handling", kind="complaint")
    client.force_login(people["zjj_clerk"])
    url = f"/api/tickets/{ticket.number}/attachments"
    refused = client.post(url, {"file": SimpleUploadedFile("x.png", PNG), "evidence": "true"})
    assert refused.status_code == 403
    made = client.post(url, {"file": SimpleUploadedFile("现场.png", PNG)})
    assert made.status_code == 200 and made.json()["name"] == "现场.png"
    assert Attachment.objects.get().uploaded_by == people["zjj_clerk"]
