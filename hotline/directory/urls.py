from django.urls import path

from hotline.directory import views

app_name = "directory"
urlpatterns = [
    path("", views.unit_list, name="unit-list"),
    path("import/", views.unit_import, name="unit-import"),
    path("import/template.csv", views.unit_import_template, name="unit-import-template"),
    path("units/<str:code>/", views.unit_detail, name="unit-detail"),
]
