"""Attachments: size and type limits on the bytes; complaint evidence stays with the hotline."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from hotline.core.errors import DomainError, PermissionDenied
from hotline.tickets import services as s

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def upload(name, content):
    return SimpleUploadedFile(name, content)


def test_type_and_size_are_checked(flow, people):
    ticket = flow.create()
    operator = people["operator1"]
    with pytest.raises(DomainError, match="不支持"):
        s.attachment_add(actor=operator, ticket=ticket, upload=upload("a.exe", b"MZ..."))
    with pytest.raises(DomainError, match="不符"):
        s.attachment_add(actor=operator, ticket=ticket, upload=upload("a.png", b"GIF89a..."))
    with override_settings(HOTLINE_UPLOAD_MAX_BYTES=10), pytest.raises(DomainError, match="大小"):
        s.attachment_add(actor=operator, ticket=ticket, upload=upload("a.png", PNG))
    assert not ticket.attachments.exists()
    made = s.attachment_add(actor=operator, ticket=ticket, upload=upload("现场.png", PNG))
    assert made.content_type == "image/png" and made.file.read() == PNG


def test_km_19_evidence_is_never_shown_to_the_unit(client, flow, people):
    ticket = flow.create(kind="complaint")
    flow.dispatch(ticket)
    evidence = s.attachment_add(
        actor=people["operator1"], ticket=ticket, upload=upload("录音.png", PNG), evidence=True
    )
    photo = s.attachment_add(actor=people["operator1"], ticket=ticket, upload=upload("p.png", PNG))
    with pytest.raises(PermissionDenied):
        s.attachment_add(
            actor=people["zjj_clerk"], ticket=ticket, upload=upload("x.png", PNG), evidence=True
        )
    client.force_login(people["zjj_clerk"])
    body = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert "p.png" in body and "录音.png" not in body
    assert client.get(f"/tickets/{ticket.number}/files/{evidence.pk}/").status_code == 404
    assert client.get(f"/tickets/{ticket.number}/files/{photo.pk}/").status_code == 200
    client.force_login(people["supervisor1"])
    assert client.get(f"/tickets/{ticket.number}/files/{evidence.pk}/").status_code == 200


def test_zs_15_catalog_item_sets_the_deadline(flow, people):
    from hotline.directory.models import CatalogItem
    from hotline.sla.models import PolicyVersion

    item = CatalogItem.objects.filter(unit__code="QX-ZJJ").first()
    assert item is not None
    ticket = flow.create(
        policy_version=PolicyVersion.objects.get(policy__code="ZS"),
        catalog_item=item,
        topic=item.topic,
    )
    flow.dispatch(ticket, catalog_item=item)
    ticket.refresh_from_db()
    assert ticket.catalog_days == item.deadline_days
    assert flow.lead(ticket).reply_due is not None
