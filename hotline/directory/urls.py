from django.urls import path

from hotline.directory import views

app_name = "directory"
urlpatterns = [
    path("", views.unit_list, name="unit-list"),
    path("import/", views.unit_import, name="unit-import"),
    path("import/template.csv", views.unit_import_template, name="unit-import-template"),
    path(
        "import/template.xlsx",
        views.unit_import_template_xlsx,
        name="unit-import-template-xlsx",
    ),
    path("units/<str:code>/", views.unit_detail, name="unit-detail"),
    path("topics/", views.topic_list, name="topic-list"),
    path("topics/import/", views.topic_import, name="topic-import"),
    path("topics/import/template.csv", views.topic_import_template, name="topic-import-template"),
    path("catalog/", views.catalog_list, name="catalog-list"),
    path("catalog/suggest/", views.catalog_suggest, name="catalog-suggest"),
    path("catalog/import/", views.catalog_import, name="catalog-import"),
    path(
        "catalog/import/template.csv",
        views.catalog_import_template,
        name="catalog-import-template",
    ),
    path("catalog/items/<str:code>/", views.catalog_detail, name="catalog-detail"),
]
