"""What may be attached: size and type limits checked on the bytes, not the name alone."""

from __future__ import annotations

from pathlib import PurePath

from django.conf import settings

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
    """The content type for an acceptable file, else DomainError in Chinese."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in ALLOWED:
        kinds = "、".join(sorted(ALLOWED))
        raise DomainError(
            f"不支持的附件类型「{suffix or name}」，可上传：{kinds}", code="attachment_type"
        )
    limit = settings.HOTLINE_UPLOAD_MAX_BYTES
    if size > limit:
        raise DomainError(
            f"附件超过 {limit // (1024 * 1024)} MB 的大小限制", code="attachment_size"
        )
    if size == 0:
        raise DomainError("附件是空文件", code="attachment_empty")
    content_type, magics = ALLOWED[suffix]
    if not any(head.startswith(magic) for magic in magics):
        raise DomainError(f"文件内容与扩展名 {suffix} 不符", code="attachment_type")
    return content_type
