"""What may be attached: size and type limits checked on the bytes, not the name alone."""

from __future__ import annotations

from pathlib import PurePath

from django.conf import settings
from django.utils.translation import gettext as _

from hotline.core.errors import DomainError

# extension → (content type, leading bytes it must start with; b"" when any text goes)
ALLOWED: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".pdf": ("application/pdf", (b"%PDF",)),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (b"PK\x03\x04",),
    ),
    ".mp3": ("audio/mpeg", (b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2")),
    ".wav": ("audio/wav", (b"RIFF",)),
    ".txt": ("text/plain", (b"",)),
}


def check(name: str, head: bytes, size: int) -> str:
    """The content type for an acceptable file, else DomainError saying why."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in ALLOWED:
        kinds = _(", ").join(sorted(ALLOWED))
        raise DomainError(
            _("Files of type “%(kind)s” cannot be attached; allowed: %(kinds)s")
            % {"kind": suffix or name, "kinds": kinds},
            code="attachment_type",
        )
    limit = settings.HOTLINE_UPLOAD_MAX_BYTES
    if size > limit:
        raise DomainError(
            _("The file is over the limit of %(mb)s MB") % {"mb": limit // (1024 * 1024)},
            code="attachment_size",
        )
    if size == 0:
        raise DomainError(_("The file is empty"), code="attachment_empty")
    content_type, magics = ALLOWED[suffix]
    if not any(head.startswith(magic) for magic in magics):
        raise DomainError(
            _("The file's content does not match its extension %(suffix)s") % {"suffix": suffix},
            code="attachment_type",
        )
    return content_type
