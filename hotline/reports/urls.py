from django.urls import path

from hotline.reports import views

app_name = "reports"
urlpatterns = [
    path("assessment/", views.assessment, name="assessment"),
    path("tickets/", views.drill, name="drill"),
    path("schemes/", views.scheme_list, name="schemes"),
    path("schemes/action/", views.scheme_action, name="scheme-action"),
    path("schemes/<str:code>/edit/", views.scheme_edit, name="scheme-edit"),
    path("periods/", views.period_list, name="periods"),
    path("periods/action/", views.period_action, name="period-action"),
    path("documents/", views.document_list, name="documents"),
    path("documents/<int:pk>/", views.document_detail, name="document"),
    path("documents/<int:pk>.<str:fmt>", views.document_export, name="document-export"),
]
