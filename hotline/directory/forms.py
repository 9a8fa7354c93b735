from typing import cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class ImportForm(forms.Form):
    """One .xlsx or .csv file for an import (units, topics or the catalog)."""

    file = forms.FileField(
        label=gettext_lazy("File (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.HOTLINE_UPLOAD_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than the upload limit."))
        name = upload.name.lower()
        if not (name.endswith(".xlsx") or name.endswith(".csv")):
            raise forms.ValidationError(_("Only .xlsx and .csv files can be imported."))
        return upload


class CatalogFilterForm(forms.Form):
    """The catalog page's filters (GET): text, handling unit, the day in force."""

    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)
    unit = forms.ChoiceField(label=gettext_lazy("Handling unit"), required=False)
    on = forms.DateField(
        label=gettext_lazy("In force on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    all_versions = forms.BooleanField(label=gettext_lazy("Every version"), required=False)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["unit"]).choices = [
            ("", _("All units")),
            *((u.code, u.name) for u in units),
        ]
