from django.urls import path

from hotline.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/read/", views.inbox_read, name="read"),
    path("read-all/", views.inbox_read_all, name="read-all"),
    path("log/", views.delivery_log, name="log"),
    path("digest/", views.digest_preference, name="digest"),
]
