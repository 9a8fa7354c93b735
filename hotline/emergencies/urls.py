from django.urls import path

from hotline.emergencies import views

app_name = "emergencies"
urlpatterns = [
    path("", views.reports, name="reports"),
    path("banner/", views.banner, name="banner"),
    path("transfer/", views.transfer, name="transfer"),
    path("<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
]
