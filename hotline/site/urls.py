from django.urls import include, path

from hotline.accounts.navigation import SECTIONS
from hotline.knowledge import views as knowledge
from hotline.site import access_views, views
from hotline.workbench import views as workbench

# The sections people work in all day have their own views (hotline.workbench).
WORKBENCH_SECTIONS = {
    "intake": workbench.intake,
    "dispatch": workbench.dispatch,
    "inbox": workbench.inbox,
    "visits": workbench.visits,
    "knowledge": knowledge.home,
}

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    *[
        path(f"{s.key}/", WORKBENCH_SECTIONS[s.key], name=s.url_name)
        if s.key in WORKBENCH_SECTIONS
        else path(f"{s.key}/", views.section, {"key": s.key}, name=s.url_name)
        for s in SECTIONS
    ],
    path("workbench/", include("hotline.workbench.urls")),
    path("access-log/", access_views.access_log, name="access-log"),
    path("access-log/export.xlsx", access_views.access_log_export, name="access-log-export"),
]
