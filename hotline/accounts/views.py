from base64 import b32encode

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp import match_token

from hotline.accounts.forms import LoginForm, TokenForm
from hotline.accounts.middleware import needs_second_factor
from hotline.core.http import redirect_next
from hotline.core.models import audit


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


@login_not_required
def admin_login(request):
    """/admin/login/ is the same door as /login/: one form, one throttle, one second
    factor (issue 14 item 2). The admin's `next` is kept."""
    if request.user.is_authenticated:
        if request.user.is_staff:
            return redirect_next(request, "admin:index")
        # Logged in but not admin staff: say no rather than loop between the two doors.
        raise DjangoPermissionDenied("admin")
    target = reverse("login")
    next_url = request.GET.get("next") or reverse("admin:index")
    return HttpResponseRedirect(f"{target}?{urlencode({'next': next_url})}")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Every user changes their own password here (issue 14 item 8); the rules are
    settings.AUTH_PASSWORD_VALIDATORS, an expired or reset password lands here."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        if user.must_change_password:
            user.must_change_password = False
            user.save(update_fields=["must_change_password"])
        audit(kind="password_changed", actor=user, object_type="user", object_id=user.pk)
        messages.success(self.request, _("Your password was changed."))
        return response


def otp_verify(request):
    """The second step of login for a user with an authenticator app (TOTP)."""
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            audit(
                kind="login_second_factor",
                actor=request.user,
                object_type="user",
                object_id=request.user.pk,
            )
            return redirect_next(request, "home")
        audit(
            kind="login_second_factor_failed",
            actor=request.user,
            object_type="user",
            object_id=request.user.pk,
        )
        form.add_error("token", _("The code is wrong or has expired."))
    return render(request, "accounts/otp_verify.html", {"form": form})


def otp_enrol(request):
    """Set up an authenticator app: scan the QR code, confirm one code (TOTP, RFC 6238)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = request.user
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if confirmed is not None and request.method == "GET":
        return render(request, "accounts/otp_enrol.html", {"enrolled": True})
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            device.confirmed = True
            device.save()
            otp_login(request, device)
            audit(kind="second_factor_enrolled", actor=user, object_type="user", object_id=user.pk)
            messages.success(request, _("Two-factor login is on for your account."))
            return redirect("home")
        form.add_error("token", _("The code is wrong or has expired."))
    return render(
        request,
        "accounts/otp_enrol.html",
        {
            "form": form,
            "qr": qr_svg(device.config_url),
            "secret": b32encode(device.bin_key).decode(),
            "required": needs_second_factor(user),
        },
    )


def qr_svg(text: str) -> str:
    """An inline SVG QR code (qrcode's SVG writer: no Pillow, no image file)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")
