from io import BytesIO

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vanphong.accounts import services
from vanphong.accounts.forms import ApiTokenForm, CodeForm, PasswordChangeForm, SignInForm
from vanphong.core.errors import PermissionDenied, ValidationError
from vanphong.core.labels import action_label
from vanphong.core.selectors import security_events_of
from vanphong.core.web import add_service_errors


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


def sign_in(request):
    if request.user.is_authenticated and services.session_is_complete(request):
        return redirect(_next_url(request))
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = services.sign_in_with_password(request, form.cleaned_data["username"], form.cleaned_data["password"])
        if result.error:
            form.add_error(None, result.error)
        elif result.needs_code:
            request.session["vanphong_next"] = _next_url(request)
            return redirect("accounts:sign_in_code")
        else:
            return redirect(_next_url(request))
    return render(request, "accounts/sign_in.html", {"form": form, "next": _next_url(request)})


def sign_in_code(request):
    person = services.pending_person(request)
    if person is None:
        messages.info(request, _("Please sign in with your username and password first."))
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = services.sign_in_with_code(request, form.cleaned_data["code"])
        if result.error:
            if result.locked_until:
                messages.error(request, result.error)
                return redirect("accounts:login")
            form.add_error("code", result.error)
        else:
            return redirect(request.session.pop("vanphong_next", "/"))
    return render(request, "accounts/sign_in_code.html", {"form": form, "person": person})


@require_POST
def sign_out(request):
    services.sign_out(request)
    return redirect("accounts:login")


@login_required
def totp_setup(request):
    person = request.user
    form = CodeForm(request.POST or None)
    if person.totp_confirmed:
        # Enrolled, but this session has not shown the code yet (e.g. a role was just added).
        if request.method == "POST" and form.is_valid():
            result = services.confirm_session_code(request, person, form.cleaned_data["code"])
            if not result.error:
                return redirect("core:home")
            form.add_error("code", result.error)
        return render(request, "accounts/totp_verify.html", {"form": form})
    if request.method == "POST" and form.is_valid():
        try:
            services.confirm_totp_enrolment(request, person, form.cleaned_data["code"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your second factor is set up. You will be asked for a code at each sign-in."))
            return redirect("core:home")
    if not person.totp_secret or request.method == "GET":
        services.begin_totp_enrolment(person)
    uri = services.provisioning_uri(person)
    svg = BytesIO()
    segno.make(uri, error="m").save(svg, kind="svg", scale=5, border=2, xmldecl=False, svgns=True, title=_("QR code for your authenticator app"))
    return render(request, "accounts/totp_setup.html", {
        "form": form, "secret": person.totp_secret, "qr_svg": svg.getvalue().decode(), "required": person.needs_second_factor,
    })


@login_required
def password_change(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_own_password(request, request.user, form.cleaned_data["current"], form.cleaned_data["new"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your password has been changed."))
            return redirect("accounts:profile")
    return render(request, "accounts/password_change.html", {"form": form, "forced": request.user.must_change_password})


@login_required
def profile(request):
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_token = services.create_api_token(request.user, form.cleaned_data["name"], form.cleaned_data["days"], request=request)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            form = ApiTokenForm()
    events = security_events_of(request.user, limit=20)
    for e in events:
        e.label = action_label(e.action)
    return render(request, "accounts/profile.html", {
        "form": form, "new_token": new_token, "tokens": request.user.api_tokens.all(), "events": events,
    })


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(request.user.api_tokens, pk=pk)
    try:
        services.revoke_api_token(request.user, token, request=request)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The token has been revoked."))
    return redirect("accounts:profile")
