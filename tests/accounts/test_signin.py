"""Sign-in through the real pages: passwords, lockout with back-off, TOTP, idle timeout."""

import time
from datetime import timedelta

import pyotp
import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import signed_in
from tests.factories import PASSWORD, make_person
from vanphong.accounts.models import SignInThrottle
from vanphong.core.models import AuditRecord

LOGIN = "/accounts/login/"


def _post_login(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def _actions():
    return list(AuditRecord.objects.order_by("seq").values_list("action", flat=True))


@pytest.mark.django_db
def test_clerk_signs_in_with_password_and_sees_vietnamese_home(clerk_a):
    client = Client()
    response = _post_login(client, "vanthu.a", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "Nguyễn Thị Văn Thư" in home.content.decode()
    assert 'lang="vi"' in home.content.decode()
    assert _actions()[-1] == "accounts.signin.succeeded"


@pytest.mark.django_db
def test_username_is_case_insensitive(clerk_a):
    assert _post_login(Client(), "VanThu.A", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_wrong_password_is_refused_and_audited(clerk_a):
    client = Client()
    response = _post_login(client, "vanthu.a", "wrong-password")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    rec = AuditRecord.objects.order_by("-seq").first()
    assert rec.action == "accounts.signin.failed" and rec.data["username"] == "vanthu.a"
    assert rec.agency_id == clerk_a.agency_id


@pytest.mark.django_db
def test_lockout_with_back_off(clerk_a, settings):
    settings.VANPHONG_LOCKOUT_THRESHOLD = 3
    settings.VANPHONG_LOCKOUT_BASE_SECONDS = 60
    client = Client()
    for _ in range(3):
        _post_login(client, "vanthu.a", "bad")
    throttle = SignInThrottle.objects.get(username="vanthu.a")
    first_lock = throttle.locked_until - timezone.now()
    assert timedelta(seconds=50) < first_lock <= timedelta(seconds=60)
    assert "accounts.signin.locked" in _actions()
    # Locked: even the right password is refused, without being checked.
    response = _post_login(client, "vanthu.a", PASSWORD)
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert _actions()[-1] == "accounts.signin.refused_locked"
    # After the lock runs out, three more failures lock for twice as long.
    SignInThrottle.objects.filter(pk=throttle.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    for _ in range(3):
        _post_login(client, "vanthu.a", "bad")
    second_lock = SignInThrottle.objects.get(pk=throttle.pk).locked_until - timezone.now()
    assert timedelta(seconds=110) < second_lock <= timedelta(seconds=120)
    # An administrator unlocks; the right password then works.
    from vanphong.accounts import services

    admin = make_person(clerk_a.agency, "qt", "Quản Trị", roles=["admin"])
    services.unlock(admin, clerk_a)
    assert _post_login(client, "vanthu.a", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_lockout_message_is_vietnamese_by_default(clerk_a, settings):
    settings.VANPHONG_LOCKOUT_THRESHOLD = 1
    response = _post_login(Client(), "vanthu.a", "bad")
    assert "khóa" in response.content.decode().lower()


def _enrolled_leader(agency):
    person = make_person(agency, "lanhdao.a", "Trần Quốc Khánh", roles=["leader"])
    person.totp_secret = pyotp.random_base32()
    person.totp_confirmed = True
    person.save()
    return person


@pytest.mark.django_db
def test_totp_second_step(agency_a):
    leader = _enrolled_leader(agency_a)
    client = Client()
    response = _post_login(client, "lanhdao.a", PASSWORD)
    assert response["Location"] == "/accounts/login/code/"
    assert "_auth_user_id" not in client.session  # not signed in until the code is given
    assert client.get("/").status_code == 302
    assert client.post("/accounts/login/code/", {"code": "000000"}).status_code == 200
    response = client.post("/accounts/login/code/", {"code": pyotp.TOTP(leader.totp_secret).now()})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert AuditRecord.objects.order_by("-seq").first().data["method"] == "password+totp"


@pytest.mark.django_db
def test_totp_code_cannot_be_replayed(agency_a):
    leader = _enrolled_leader(agency_a)
    code = pyotp.TOTP(leader.totp_secret).now()
    first = Client()
    _post_login(first, "lanhdao.a", PASSWORD)
    assert first.post("/accounts/login/code/", {"code": code}).status_code == 302
    second = Client()
    _post_login(second, "lanhdao.a", PASSWORD)
    response = second.post("/accounts/login/code/", {"code": code})
    assert response.status_code == 200 and "_auth_user_id" not in second.session


@pytest.mark.django_db
def test_role_requiring_second_factor_must_enrol_first(agency_a):
    make_person(agency_a, "ca.a", "Hoàng Đức Thắng", roles=["ca_operator"])
    client = Client()
    assert _post_login(client, "ca.a", PASSWORD).status_code == 302
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/accounts/second-factor/"
    assert client.get("/org/agencies/").status_code == 302
    page = client.get("/accounts/second-factor/")
    assert page.status_code == 200 and "<svg" in page.content.decode()
    secret = page.context["secret"]
    assert client.post("/accounts/second-factor/", {"code": pyotp.TOTP(secret).now()}).status_code == 302
    assert client.get("/").status_code == 200
    assert "accounts.totp.enrolled" in _actions()


@pytest.mark.django_db
def test_idle_session_is_signed_out(clerk_a, settings):
    settings.VANPHONG_IDLE_TIMEOUT_SECONDS = 60
    client = Client()
    _post_login(client, "vanthu.a", PASSWORD)
    assert client.get("/").status_code == 200
    session = client.session
    session["last_activity"] = int(time.time()) - 61
    session.save()
    response = client.get("/org/agencies/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=/org/agencies/")
    assert client.get("/").status_code == 302
    assert AuditRecord.objects.filter(action="accounts.signout", data__reason="idle").exists()


@pytest.mark.django_db
def test_temporary_password_must_be_changed(admin_a, clerk_a):
    from vanphong.accounts import services

    temporary = services.reset_password(admin_a, clerk_a)
    client = Client()
    assert _post_login(client, "vanthu.a", PASSWORD).status_code == 200  # old one no longer works
    assert _post_login(client, "vanthu.a", temporary).status_code == 302
    assert client.get("/")["Location"] == "/accounts/password/"
    response = client.post("/accounts/password/", {"current": temporary, "new": "123", "confirm": "123"})
    assert response.status_code == 200  # too weak
    new = "Mot-mat-khau-moi-that-dai"
    assert client.post("/accounts/password/", {"current": temporary, "new": new, "confirm": new}).status_code == 302
    assert client.get("/").status_code == 200
    assert [a for a in _actions() if a.startswith("accounts.password")] == ["accounts.password.reset", "accounts.password.changed"]


@pytest.mark.django_db
def test_admin_resets_second_factor_of_own_agency_only(admin_a, admin_b, agency_a):
    from vanphong.accounts import services
    from vanphong.core.errors import PermissionDenied

    leader = _enrolled_leader(agency_a)
    with pytest.raises(PermissionDenied):
        services.reset_second_factor(admin_b, leader)
    services.reset_second_factor(admin_a, leader)
    leader.refresh_from_db()
    assert not leader.totp_confirmed and leader.totp_secret == ""


@pytest.mark.django_db
def test_admin_reset_buttons_on_person_page(client, admin_a, agency_a):
    leader = _enrolled_leader(agency_a)
    signed_in(client, admin_a)
    response = client.post(f"/org/people/{leader.pk}/reset-password/", follow=True)
    assert "Mật khẩu tạm" in response.content.decode() or "Temporary password" in response.content.decode()
    leader.refresh_from_db()
    assert leader.must_change_password
    client.post(f"/org/people/{leader.pk}/reset-second-factor/")
    leader.refresh_from_db()
    assert not leader.totp_confirmed


@pytest.mark.django_db
def test_sign_out_is_post_only_and_audited(client, clerk_a):
    signed_in(client, clerk_a)
    assert client.get("/accounts/logout/").status_code == 405
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302
    assert _actions()[-1] == "accounts.signout"


@pytest.mark.django_db
def test_api_tokens_shown_once_and_revocable(client, clerk_a):
    from vanphong.accounts.services import person_for_token

    signed_in(client, clerk_a)
    response = client.post("/accounts/me/", {"name": "Cổng dịch vụ công", "days": 30})
    raw = response.context["new_token"]
    assert raw.startswith("vp_") and person_for_token(raw) == clerk_a
    token = clerk_a.api_tokens.get()
    assert token.digest != raw and raw not in client.get("/accounts/me/").content.decode()
    client.post(f"/accounts/me/tokens/{token.pk}/revoke/")
    assert person_for_token(raw) is None


@pytest.mark.django_db
def test_open_redirect_is_refused(clerk_a):
    response = Client().post(LOGIN + "?next=https://evil.example/", {"username": "vanthu.a", "password": PASSWORD})
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_passwords_are_stored_with_argon2(admin_a, agency_a):
    from vanphong.org import services

    person = services.create_person(admin_a, agency_a, username="moi", full_name="Người Mới", password="Mat-khau-tam-2026")
    person.refresh_from_db()
    assert person.password.startswith("argon2$argon2id$")
    assert "Mat-khau-tam-2026" not in person.password
