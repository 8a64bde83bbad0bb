"""Sign-in, second factor, passwords and API tokens. Every outcome is audited."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanphong.accounts.models import ApiToken, SignInThrottle
from vanphong.core import audit
from vanphong.core.errors import PermissionDenied, ValidationError
from vanphong.org.models import Person
from vanphong.org.permissions import require_agency_manager

SESSION_PENDING = "vanphong_pending_person"
SESSION_SECOND_FACTOR_OK = "vanphong_second_factor_ok"


@dataclass
class SignInResult:
    person: Person | None = None
    needs_code: bool = False
    locked_until: datetime | None = None
    error: str = ""


def _throttle(username: str) -> SignInThrottle:
    throttle, _created = SignInThrottle.objects.select_for_update().get_or_create(username=username.strip().lower()[:150])
    return throttle


def _locked_message(until: datetime) -> str:
    local = timezone.localtime(until)
    return _("Too many failed attempts. This account is locked until %(time)s.") % {"time": local.strftime("%H:%M:%S %d/%m/%Y")}


def _register_failure(username: str, request, reason: str) -> SignInResult:
    """Count a failure (in its own transaction, so it stays even though the sign-in fails)."""
    with transaction.atomic():
        throttle = _throttle(username)
        now = timezone.now()
        throttle.failures += 1
        throttle.last_failure_at = now
        person = Person.objects.filter(username__iexact=username).first()
        audit.record("accounts.signin.failed", actor=None, agency=getattr(person, "agency", None),
                     data={"username": username[:150], "reason": reason}, request=request)
        if throttle.failures >= settings.VANPHONG_LOCKOUT_THRESHOLD:
            throttle.lockouts += 1
            seconds = min(settings.VANPHONG_LOCKOUT_BASE_SECONDS * 2 ** (throttle.lockouts - 1), settings.VANPHONG_LOCKOUT_MAX_SECONDS)
            throttle.locked_until = now + timedelta(seconds=seconds)
            throttle.failures = 0
            audit.record("accounts.signin.locked", actor=None, agency=getattr(person, "agency", None),
                         data={"username": username[:150], "seconds": seconds, "lockouts": throttle.lockouts}, request=request)
            throttle.save()
            return SignInResult(locked_until=throttle.locked_until, error=_locked_message(throttle.locked_until))
        throttle.save()
    return SignInResult(error=_("The username or password is not correct.") if reason != "code" else _("The code is not correct."))


def _locked(username: str) -> datetime | None:
    throttle = SignInThrottle.objects.filter(username=username.strip().lower()[:150]).first()
    if throttle and throttle.locked_until and throttle.locked_until > timezone.now():
        return throttle.locked_until
    return None


def _clear_failures(username: str) -> None:
    SignInThrottle.objects.filter(username=username.strip().lower()[:150]).update(failures=0, lockouts=0, locked_until=None)


def sign_in_with_password(request, username: str, password: str) -> SignInResult:
    """First step. Completes the sign-in unless the person has a second factor to enter."""
    username = (username or "").strip()
    until = _locked(username)
    if until:
        audit.record("accounts.signin.refused_locked", data={"username": username[:150]}, request=request)
        return SignInResult(locked_until=until, error=_locked_message(until))
    person = authenticate(request, username=username, password=password)
    if person is None:
        return _register_failure(username, request, "password")
    if person.totp_confirmed:
        request.session.cycle_key()
        request.session[SESSION_PENDING] = person.pk
        return SignInResult(person=person, needs_code=True)
    _complete(request, person, method="password")
    return SignInResult(person=person)


def pending_person(request) -> Person | None:
    pk = request.session.get(SESSION_PENDING)
    return Person.objects.filter(pk=pk, is_active=True).first() if pk else None


def _accept_code(person: Person, code: str) -> bool:
    """A TOTP code is good once: a code for a time step already used is refused (no replay)."""
    code = (code or "").strip().replace(" ", "")
    if not (person.totp_secret and code.isdigit() and len(code) == 6):
        return False
    totp = pyotp.TOTP(person.totp_secret)
    now = timezone.now()
    for offset in (0, -1, 1):  # one step of clock drift either way
        at = now + timedelta(seconds=30 * offset)
        step = int(at.timestamp()) // 30
        if step > person.totp_last_step and secrets.compare_digest(totp.at(at), code):
            updated = Person.objects.filter(pk=person.pk, totp_last_step__lt=step).update(totp_last_step=step)
            person.totp_last_step = step
            return bool(updated)
    return False


def sign_in_with_code(request, code: str) -> SignInResult:
    person = pending_person(request)
    if person is None:
        return SignInResult(error=_("Your sign-in has expired. Please enter your password again."))
    until = _locked(person.username)
    if until:
        return SignInResult(locked_until=until, error=_locked_message(until))
    if not _accept_code(person, code):
        result = _register_failure(person.username, request, "code")
        if result.locked_until:
            request.session.pop(SESSION_PENDING, None)
        return result
    request.session.pop(SESSION_PENDING, None)
    _complete(request, person, method="password+totp")
    return SignInResult(person=person)


def confirm_session_code(request, person: Person, code: str) -> SignInResult:
    """A signed-in, enrolled person shows a code for this session (counted like a sign-in code)."""
    if not _accept_code(person, code):
        return _register_failure(person.username, request, "code")
    request.session[SESSION_SECOND_FACTOR_OK] = True
    audit.record("accounts.totp.verified", actor=person, request=request)
    return SignInResult(person=person)


def _complete(request, person: Person, method: str) -> None:
    login(request, person, backend="django.contrib.auth.backends.ModelBackend")
    request.session[SESSION_SECOND_FACTOR_OK] = method.endswith("totp")
    request.session["last_activity"] = int(timezone.now().timestamp())
    _clear_failures(person.username)
    audit.record("accounts.signin.succeeded", actor=person, data={"method": method}, request=request)


def sign_out(request, reason: str = "user") -> None:
    person = request.user if request.user.is_authenticated else None
    if person is not None:
        audit.record("accounts.signout", actor=person, data={"reason": reason}, request=request)
    logout(request)


def session_is_complete(request) -> bool:
    """Signed in, and through every step policy requires: a changed temporary password and, where
    the roles demand it, a second factor."""
    person = request.user
    if not person.is_authenticated:
        return False
    if person.must_change_password:
        return False
    if person.needs_second_factor and not request.session.get(SESSION_SECOND_FACTOR_OK):
        return False
    return True


# ---- second factor enrolment -------------------------------------------------------------------


def begin_totp_enrolment(person: Person) -> str:
    """A fresh secret, kept unconfirmed until the person proves their app shows the right code."""
    if person.totp_confirmed:
        raise ValidationError(_("A second factor is already set up. An administrator can reset it."))
    person.totp_secret = pyotp.random_base32()
    person.save(update_fields=["totp_secret"])
    return person.totp_secret


def provisioning_uri(person: Person) -> str:
    return pyotp.TOTP(person.totp_secret).provisioning_uri(name=person.username, issuer_name=settings.VANPHONG_TOTP_ISSUER)


@transaction.atomic
def confirm_totp_enrolment(request, person: Person, code: str) -> None:
    if person.totp_confirmed or not person.totp_secret:
        raise ValidationError(_("There is no second factor waiting to be confirmed."))
    if not _accept_code(person, code):
        raise ValidationError(_("The code is not correct. Check the time on your phone and try again."))
    person.totp_confirmed = True
    person.save(update_fields=["totp_confirmed"])
    request.session[SESSION_SECOND_FACTOR_OK] = True
    audit.record("accounts.totp.enrolled", actor=person, target=person, request=request)


# ---- passwords ---------------------------------------------------------------------------------


@transaction.atomic
def change_own_password(request, person: Person, current: str, new: str) -> None:
    if not person.check_password(current):
        raise ValidationError({"current": _("The current password is not correct.")})
    if current == new:
        raise ValidationError({"new": _("The new password must differ from the current one.")})
    try:
        validate_password(new, person)
    except ValidationError as exc:
        raise ValidationError({"new": exc.messages}) from None
    person.set_password(new)
    person.must_change_password = False
    person.save(update_fields=["password", "must_change_password"])
    from django.contrib.auth import update_session_auth_hash

    update_session_auth_hash(request, person)
    audit.record("accounts.password.changed", actor=person, target=person, request=request)


def generate_temporary_password() -> str:
    # Easy to read aloud or type from a phone: groups of lower-case letters and digits.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))


@transaction.atomic
def reset_password(actor, person: Person, request=None) -> str:
    """An administrator gives the person a temporary password, to be changed at next sign-in."""
    require_agency_manager(actor, person.agency)
    if person.pk == actor.pk:
        raise PermissionDenied(_("Change your own password from your account page."))
    temporary = generate_temporary_password()
    person.set_password(temporary)
    person.must_change_password = True
    person.save(update_fields=["password", "must_change_password"])
    _clear_failures(person.username)
    audit.record("accounts.password.reset", actor=actor, agency=person.agency, target=person, request=request)
    return temporary


@transaction.atomic
def reset_second_factor(actor, person: Person, request=None) -> None:
    """After a lost phone: the person sets up a new authenticator at next sign-in."""
    require_agency_manager(actor, person.agency)
    if person.pk == actor.pk:
        raise PermissionDenied(_("Another administrator must reset your own second factor."))
    person.totp_secret, person.totp_confirmed, person.totp_last_step = "", False, 0
    person.save(update_fields=["totp_secret", "totp_confirmed", "totp_last_step"])
    audit.record("accounts.totp.reset", actor=actor, agency=person.agency, target=person, request=request)


@transaction.atomic
def unlock(actor, person: Person, request=None) -> None:
    require_agency_manager(actor, person.agency)
    _clear_failures(person.username)
    audit.record("accounts.signin.unlocked", actor=actor, agency=person.agency, target=person, request=request)


def lock_state(person: Person) -> datetime | None:
    return _locked(person.username)


# ---- API tokens ----------------------------------------------------------------------------------

TOKEN_PREFIX = "vp_"


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def create_api_token(actor: Person, name: str, days: int | None = 365, request=None) -> tuple[ApiToken, str]:
    """Returns the token row and the raw token, which is shown once and never stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name, e.g. the system that will use it.")})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        person=actor, name=name[:100], prefix=raw[:12], digest=_digest(raw),
        expires_at=timezone.now() + timedelta(days=days) if days else None,
    )
    audit.record("accounts.token.created", actor=actor, target=token, data={"name": token.name}, request=request)
    return token, raw


@transaction.atomic
def revoke_api_token(actor: Person, token: ApiToken, request=None) -> None:
    if token.person_id != actor.pk:
        raise PermissionDenied(_("You can only revoke your own tokens."))
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record("accounts.token.revoked", actor=actor, target=token, request=request)


def person_for_token(raw: str) -> Person | None:
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("person").filter(digest=_digest(raw), revoked_at__isnull=True).first()
    now = timezone.now()
    if token is None or (token.expires_at and token.expires_at <= now) or not token.person.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.person
