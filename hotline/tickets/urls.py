from django.urls import path

from hotline.tickets import views

app_name = "tickets"
urlpatterns = [
    path("", views.ticket_list, name="list"),
    path("export.xlsx", views.ticket_export, name="export"),
    path("<str:number>/", views.ticket_detail, name="detail"),
    path("<str:number>/files/<int:pk>/", views.attachment_download, name="attachment"),
    path("<str:number>/files/", views.attachment_upload, name="attachment-upload"),
]
