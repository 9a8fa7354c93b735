"""Form fields shared by every app."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

# The largest id a 64-bit key column holds; a bigger number would be a database error.
MAX_ID = 2**63 - 1


def _id_in_range(value: Any) -> bool:
    text = str(value).strip()
    return not text.isdigit() or 0 < int(text) <= MAX_ID


class IdChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField that refuses an out-of-range id as an invalid choice instead of
    passing it to the database (a 500 on both SQLite and PostgreSQL, issue 14 item 7)."""

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values and not _id_in_range(value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """The same for a list of ids."""

    def _check_values(self, value: Any) -> Any:
        for pk in value or ():
            if not _id_in_range(pk):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)  # type: ignore[misc]


class LimitedFileField(forms.FileField):
    """A FileField held to HOTLINE_UPLOAD_MAX_BYTES: every upload form uses it, so no
    form forgets the limit (issue 14 item 7)."""

    def clean(self, data: Any, initial: Any = None) -> Any:
        from django.conf import settings

        upload = super().clean(data, initial)
        limit = settings.HOTLINE_UPLOAD_MAX_BYTES
        if upload and getattr(upload, "size", 0) > limit:
            raise forms.ValidationError(
                _("The file is larger than the upload limit (%(mb)s MB).")
                % {"mb": round(limit / 1024 / 1024, 1)},
                code="too_large",
            )
        return upload
