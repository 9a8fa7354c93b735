from django.urls import path

from hotline.accounts import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    # Shadows the admin's own login view (config.urls includes these first).
    path("admin/login/", views.admin_login, name="admin-login"),
    path("account/password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("account/verify/", views.otp_verify, name="otp-verify"),
    path("account/two-factor/", views.otp_enrol, name="otp-enrol"),
]
