"""Partials and pages of the workbench that are not sections themselves; the four
sections (/intake/, /dispatch/, /inbox/, /visits/) are routed in hotline.site.urls."""

from django.urls import path

from hotline.workbench import views

app_name = "workbench"
urlpatterns = [
    path("intake/history/", views.intake_history, name="intake-history"),
    path("intake/duplicates/", views.intake_duplicates, name="duplicates"),
    path("suggest/", views.catalog_suggestions, name="suggest"),
    path("assignments/<int:pk>/sheet/", views.assignment_sheet, name="sheet"),
    path("assignments/<int:pk>/follow-up/", views.unit_followup, name="unit-followup"),
    path("inbox/reply-check/", views.reply_check, name="reply-check"),
]
