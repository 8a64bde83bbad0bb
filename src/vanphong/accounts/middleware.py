"""Session policy: sign out after idle time; finish a temporary password or a required second
factor before anything else."""

import time

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from vanphong.accounts import services

# Paths that stay reachable while a sign-in is unfinished.
_OPEN_PREFIXES = (
    "/static/", "/accounts/login", "/accounts/logout", "/accounts/second-factor", "/accounts/password", "/i18n/", "/api/", "/health",
    # The public status services of the certificate authority.
    "/pki/ca/", "/pki/crl/", "/pki/ocsp", "/pki/tsa",
)
# Refreshing the timestamp on every request would write the session each time.
_TOUCH_EVERY_SECONDS = 30
# Sent by a page's own background refresh (the notification bell): not activity, so it keeps no idle session alive.
BACKGROUND_HEADER = "X-VanPhong-Background"


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get("last_activity", now)
            if now - last > settings.VANPHONG_IDLE_TIMEOUT_SECONDS:
                services.sign_out(request, reason="idle")
                messages.info(request, _("You were signed out after a period of inactivity."))
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                target = reverse(settings.LOGIN_URL)
                if request.method == "GET" and url_has_allowed_host_and_scheme(request.get_full_path(), None):
                    target += f"?next={request.get_full_path()}"
                return redirect(target)
            touch = now - last >= _TOUCH_EVERY_SECONDS and not request.headers.get(BACKGROUND_HEADER)
            if touch or "last_activity" not in request.session:
                request.session["last_activity"] = now
        return self.get_response(request)


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        person = request.user
        if person.is_authenticated and not request.path.startswith(_OPEN_PREFIXES):
            if person.must_change_password:
                return redirect("accounts:password_change")
            if person.needs_second_factor and not request.session.get(services.SESSION_SECOND_FACTOR_OK):
                return redirect("accounts:totp_setup")
        return self.get_response(request)
