from django.urls import path

from hotline.knowledge import views

app_name = "knowledge"

urlpatterns = [
    path("", views.home, name="home"),
    path("review/", views.review, name="review"),
    path("new/", views.entry_new, name="new"),
    path("<int:pk>/", views.entry_detail, name="entry"),
    path("<int:pk>/edit/", views.entry_edit, name="edit"),
    path("<int:pk>/attach/", views.entry_attach, name="attach"),
    path(
        "<int:pk>/<str:action>/",
        views.entry_action,
        name="action",
    ),
    path("version/<int:pk>/", views.version_detail, name="version"),
    path("intake/", views.intake_panel, name="intake"),
    path("corrections/overdue/", views.overdue_corrections, name="overdue-corrections"),
    path("figures/", views.figures, name="figures"),
    path("import/", views.import_page, name="import"),
    path("import/template.csv", views.import_template, name="import-template"),
]
