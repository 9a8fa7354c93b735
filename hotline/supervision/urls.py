from django.urls import path

from hotline.supervision import views

app_name = "supervision"
urlpatterns = [
    path("remind/<int:pk>/", views.remind, name="remind"),
    path("issue/<int:pk>/", views.issue, name="issue"),
    path("documents/", views.document_list, name="documents"),
    path("documents/<int:pk>.pdf", views.document_download, name="document"),
    path("criticism/", views.criticism, name="criticism"),
    path("bulletin/", views.bulletin, name="bulletin"),
    path("bulletin/<str:month>.xlsx", views.bulletin_xlsx, name="bulletin-xlsx"),
    path("bulletin/<str:month>.pdf", views.bulletin_pdf, name="bulletin-pdf"),
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/new/", views.meeting_create, name="meeting-create"),
]
