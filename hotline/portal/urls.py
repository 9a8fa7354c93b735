from django.urls import path

from hotline.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="start"),
    path("verify/", views.verify, name="verify"),
    path("submit/", views.submit, name="submit"),
    path("track/", views.track, name="track"),
    path("mine/", views.mine, name="mine"),
    path("rate/<str:number>/", views.rate, name="rate"),
]

from hotline.portal import staff_views  # noqa: E402

urlpatterns += [
    path("manage/open311/", staff_views.open311_keys, name="open311-keys"),
    path("missed-calls/", staff_views.missed_call_list, name="missed-calls"),
    path(
        "missed-calls/<int:pk>/attempt/",
        staff_views.missed_call_attempt,
        name="missed-call-attempt",
    ),
    path("missed-calls/import/", staff_views.missed_call_import_api, name="missed-calls-import"),
]
