from django.urls import path

from hotline.core import views
from hotline.core.navigation import SECTIONS

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    *[path(f"{s.key}/", views.section, {"key": s.key}, name=s.url_name) for s in SECTIONS],
]
