"""The knowledge base's rules as data (R-KB, ZS 34). Settings may override the numbers."""

from __future__ import annotations

from django.conf import settings

# Working days the owner has to correct an error the hotline found (R-KB).
CORRECTION_DAYS = int(getattr(settings, "KNOWLEDGE_CORRECTION_DAYS", 5))
# A new policy reaches the hotline 3 to 10 working days before its release (ZS 34(二)).
EARLY_POLICY_DAYS = (3, 10)
# Without a review date an entry is due for review this many days after it takes effect.
DEFAULT_REVIEW_DAYS = 365
MAX_ATTACHMENT_BYTES = int(getattr(settings, "KNOWLEDGE_MAX_ATTACHMENT_BYTES", 10 * 1024 * 1024))
MAX_BODY_CHARS = 50_000
MAX_ANSWER_CHARS = 5_000
UNRELEASED_MARK = "未公开, 口径仅供内部"

# Sanitised rich text: what nh3 keeps in an entry's body.
ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "h3", "h4", "table",
    "thead", "tbody", "tr", "th", "td", "a", "blockquote", "span",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}}
