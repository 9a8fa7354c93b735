from django.contrib import admin
from django.urls import include, path

from hotline.api.api import urls as api_urls
from hotline.reports import views as reports_views

urlpatterns = [
    path("", include("hotline.site.urls")),
    path("", include("hotline.accounts.urls")),
    path("directory/", include("hotline.directory.urls")),
    path("sla/", include("hotline.sla.urls")),
    path("tickets/", include("hotline.tickets.urls")),
    path("intelligence/", include("hotline.intelligence.urls")),
    path("notifications/", include("hotline.notifications.urls")),
    path("supervision/", include("hotline.supervision.urls")),
    path("knowledge/", include("hotline.knowledge.urls")),
    path("channels/", include("hotline.channels.urls")),
    path("portal/", include("hotline.portal.urls")),
    path("open311/v2/", include("hotline.portal.open311_urls")),
    path("captcha/", include("hotline.portal.captcha_urls")),
    path("reports/", include("hotline.reports.urls")),
    path("results/", reports_views.public_results, name="public-results"),
    path("emergencies/", include("hotline.emergencies.urls")),
    path("api/", api_urls()),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
