from django.contrib import admin
from django.urls import include, path

from hotline.api.api import urls as api_urls

urlpatterns = [
    path("", include("hotline.core.urls")),
    path("", include("hotline.accounts.urls")),
    path("directory/", include("hotline.directory.urls")),
    path("sla/", include("hotline.sla.urls")),
    path("tickets/", include("hotline.tickets.urls")),
    path("intelligence/", include("hotline.intelligence.urls")),
    path("notifications/", include("hotline.notifications.urls")),
    path("supervision/", include("hotline.supervision.urls")),
    path("emergencies/", include("hotline.emergencies.urls")),
    path("api/", api_urls()),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
