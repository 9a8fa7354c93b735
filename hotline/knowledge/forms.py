from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from hotline.directory.models import Topic, Unit
from hotline.knowledge.models import Kind, WorksKind
from hotline.knowledge.services import Content

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class UnitField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name}（{obj.code}）"


class TopicField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.code} {obj.name}"


class EntryForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    owner = UnitField(label=_("Owner unit"), queryset=Unit.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    answer = forms.CharField(
        label=_("Answer for the caller"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Plain words the operator reads out; it is copied into the ticket."),
    )
    body = forms.CharField(
        label=_("Details (HTML allowed: paragraphs, lists, tables, links)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    keywords = forms.CharField(label=_("Keywords"), max_length=500, required=False)
    topic = TopicField(label=_("Topic"), queryset=Topic.objects.none(), required=False)
    effective = forms.DateField(label=_("Effective from"), widget=DATE)
    expires = forms.DateField(label=_("Expires on"), required=False, widget=DATE)
    review_by = forms.DateField(label=_("Review by"), required=False, widget=DATE)
    release_on = forms.DateField(
        label=_("Public release on (policy known in advance)"), required=False, widget=DATE
    )
    public_phone = forms.CharField(label=_("Public service line"), max_length=64, required=False)
    service_hours = forms.CharField(label=_("Service hours"), max_length=100, required=False)
    works_kind = forms.ChoiceField(
        label=_("Works kind"), choices=[("", "—"), *WorksKind.choices], required=False
    )
    works_region = UnitField(
        label=_("Affected street or town"), queryset=Unit.objects.none(), required=False
    )
    works_places = forms.CharField(
        label=_("Affected places (roads, estates; separated by 、)"), max_length=500, required=False
    )
    works_start = forms.DateTimeField(label=_("Works from"), required=False, widget=DATETIME)
    works_end = forms.DateTimeField(label=_("Works until"), required=False, widget=DATETIME)
    note = forms.CharField(label=_("What changed"), max_length=300, required=False)

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(active=True).order_by("sort_order", "code")
        fields: dict[str, Any] = self.fields
        fields["owner"].queryset = owners if owners is not None else units
        fields["works_region"].queryset = units
        fields["topic"].queryset = Topic.objects.filter(active=True).order_by("code")

    def content(self) -> Content:
        d = self.cleaned_data
        return Content(
            title=d["title"],
            answer=d["answer"],
            body=d.get("body") or "",
            keywords=d.get("keywords") or "",
            topic=d.get("topic"),
            effective=d.get("effective"),
            expires=d.get("expires"),
            review_by=d.get("review_by"),
            release_on=d.get("release_on"),
            public_phone=d.get("public_phone") or "",
            service_hours=d.get("service_hours") or "",
            works_kind=d.get("works_kind") or "",
            works_region=d.get("works_region"),
            works_places=d.get("works_places") or "",
            works_start=d.get("works_start"),
            works_end=d.get("works_end"),
        )


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))
    official = forms.BooleanField(label=_("This is the official policy text"), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=500, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "—"), *Kind.choices], required=False)
    owner = UnitField(label=_("Owner unit"), queryset=Unit.objects.none(), required=False)
    topic = TopicField(label=_("Topic"), queryset=Topic.objects.none(), required=False)
    on = forms.DateField(label=_("Valid on"), required=False, widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["owner"].queryset = Unit.objects.filter(active=True).order_by("sort_order")
        fields["topic"].queryset = Topic.objects.filter(active=True, level__lte=2).order_by("code")
