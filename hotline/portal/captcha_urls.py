"""django-simple-captcha's views, open without a login (the site asks for one by default)."""

from captcha import views
from django.contrib.auth.decorators import login_not_required
from django.urls import re_path

urlpatterns = [
    re_path(
        r"image/(?P<key>\w+)/$",
        login_not_required(views.captcha_image),
        name="captcha-image",
        kwargs={"scale": 1},
    ),
    re_path(
        r"image/(?P<key>\w+)@2/$",
        login_not_required(views.captcha_image),
        name="captcha-image-2x",
        kwargs={"scale": 2},
    ),
    re_path(r"refresh/$", login_not_required(views.captcha_refresh), name="captcha-refresh"),
]
