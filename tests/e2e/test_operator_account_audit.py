"""The instance operator adds an agency; a person manages their account; an administrator reads
the audit log of their agency."""

import pyotp
import pytest

from tests.e2e.conftest import screenshot, sign_in
from tests.e2e.test_admin_pages import _sign_in_admin
from tests.factories import PASSWORD
from vanphong.accounts.models import ApiToken
from vanphong.org.models import Agency, Person


@pytest.mark.django_db(transaction=True)
def test_operator_adds_agency_with_first_administrator(page, operator):
    _sign_in_admin(page, operator)
    page.get_by_role("link", name="Danh bạ cơ quan").click()
    page.get_by_role("link", name="Thêm cơ quan").click()
    page.get_by_role("textbox", name="Mã định danh").fill("000.00.00.H4")
    page.get_by_role("textbox", name="Tên", exact=True).fill("Ủy ban nhân dân tỉnh Quảng Trị")
    page.get_by_role("textbox", name="Tên viết tắt").fill("UBND Quảng Trị")
    page.get_by_role("textbox", name="Ký hiệu cơ quan").fill("UBND")
    page.get_by_label("Tên đăng nhập của quản trị viên").fill("quantri.qt")
    page.get_by_label("Họ và tên quản trị viên").fill("Hồ Thị Quỳnh")
    page.get_by_role("button", name="Lưu").click()
    assert "không phải mã định danh cơ quan" in page.locator(".field.has-error").inner_text()
    assert not Agency.objects.filter(name="Ủy ban nhân dân tỉnh Quảng Trị").exists()
    page.get_by_role("textbox", name="Mã định danh").fill("000.00.00.H45")
    screenshot(page, "agency-form-vi")
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url("**/org/agencies/*/")
    assert "Mật khẩu tạm thời của quantri.qt" in page.get_by_role("status").inner_text()
    screenshot(page, "agency-detail-vi")
    admin = Person.objects.get(username="quantri.qt")
    assert admin.agency.code == "000.00.00.H45" and admin.has_role("admin")


@pytest.mark.django_db(transaction=True)
def test_person_creates_api_token_and_changes_password(page, clerk_a):
    sign_in(page, "vanthu.a", PASSWORD)
    page.get_by_role("link", name="Tài khoản của tôi").click()
    page.get_by_label("Tên mã truy cập").fill("Cổng dịch vụ công")
    page.get_by_role("button", name="Tạo mã").click()
    token = page.locator("#new-token").inner_text().strip()
    assert token.startswith("vp_") and ApiToken.objects.filter(person=clerk_a, revoked_at=None).count() == 1
    screenshot(page, "account-token-vi")
    response = page.request.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.ok and response.json()["username"] == "vanthu.a"
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Thu hồi").click()
    page.wait_for_load_state()
    assert page.request.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status == 401

    page.get_by_role("link", name="Đổi mật khẩu").click()
    page.get_by_label("Mật khẩu hiện tại").fill(PASSWORD)
    page.locator("#id_new").fill("12345678901")
    page.get_by_label("Nhập lại mật khẩu mới").fill("12345678901")
    page.get_by_role("button", name="Đổi mật khẩu").click()
    assert page.locator(".field.has-error").count() >= 1  # all digits: refused
    page.get_by_label("Mật khẩu hiện tại").fill(PASSWORD)
    page.locator("#id_new").fill("Cong-van-den-2026!")
    page.get_by_label("Nhập lại mật khẩu mới").fill("Cong-van-den-2026!")
    page.get_by_role("button", name="Đổi mật khẩu").click()
    assert page.get_by_role("status").inner_text().strip() == "Đã đổi mật khẩu."
    clerk_a.refresh_from_db()
    assert clerk_a.check_password("Cong-van-den-2026!")


@pytest.mark.django_db(transaction=True)
def test_admin_reads_audit_log_of_own_agency(page, admin_a, clerk_a, admin_b):
    sign_in(page, "vanthu.a", "sai-mat-khau")
    sign_in(page, "quantri.b", "sai-mat-khau")  # another agency's event
    _sign_in_admin(page, admin_a)
    page.get_by_role("link", name="Nhật ký hệ thống").click()
    table = page.locator("table").inner_text()
    assert "Đăng nhập không thành công" in table and "vanthu.a" in table
    assert "quantri.b" not in table
    page.get_by_label("Thao tác").select_option(label="Đăng nhập không thành công")
    page.get_by_role("button", name="Lọc").click()
    page.wait_for_url("**/audit/?action=accounts.signin.failed")
    page.wait_for_load_state()
    rows = page.locator("tbody tr")
    assert rows.count() == 1
    screenshot(page, "audit-log-vi")


@pytest.mark.django_db(transaction=True)
def test_leader_totp_code_is_not_accepted_twice_in_browser(page, agency_a):
    from tests.factories import make_person

    leader = make_person(agency_a, "ld", "Lãnh Đạo", roles=["leader"], totp_secret=pyotp.random_base32(), totp_confirmed=True)
    code = pyotp.TOTP(leader.totp_secret).now()
    sign_in(page, "ld", PASSWORD, code=code)
    page.wait_for_url("**/")
    page.get_by_role("button", name="Đăng xuất").click()
    sign_in(page, "ld", PASSWORD, code=code)
    assert page.locator(".field.has-error .error").inner_text() == "Mã không đúng."
