from django.urls import path

from hotline.sla import views

app_name = "sla"
urlpatterns = [
    path("calendar/", views.calendar_year, name="calendar"),
    path("calendar/<int:year>/", views.calendar_year, name="calendar-year"),
    path("calendar/<int:year>/official/", views.official_year, name="official-year"),
    path("calendar/overrides/<str:day>/remove/", views.override_remove, name="override-remove"),
    path("policies/", views.policy_list, name="policy-list"),
    path("policies/<str:code>/", views.policy_detail, name="policy-detail"),
    path("policies/<str:code>/edit/", views.policy_edit, name="policy-edit"),
    path("policies/<str:code>/install/", views.policy_install, name="policy-install"),
    path("policies/<str:code>/default/", views.policy_make_default, name="policy-default"),
    path("calculator/", views.calculator, name="calculator"),
]
