from django.urls import path

from hotline.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("verify/", views.verify, name="verify"),
    path("submit/", views.submit, name="submit"),
    path("track/", views.track, name="track"),
    path("mine/", views.mine, name="mine"),
    path("rate/<str:number>/", views.rate, name="rate"),
]
