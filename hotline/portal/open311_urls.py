from django.urls import re_path

from hotline.portal import open311_views as v

FMT = r"\.(?P<fmt>\w+)$"
urlpatterns = [
    re_path(r"^discovery" + FMT, v.discovery, name="open311-discovery"),
    re_path(r"^services" + FMT, v.service_list, name="open311-services"),
    re_path(r"^services/(?P<code>[^/]{1,64})" + FMT, v.service_definition, name="open311-service"),
    re_path(r"^requests" + FMT, v.request_list, name="open311-requests"),
    re_path(r"^requests/(?P<request_id>[^/]{1,64})" + FMT, v.request_one, name="open311-request"),
]
