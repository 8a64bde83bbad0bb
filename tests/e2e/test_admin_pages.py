"""An agency administrator creates a unit and a person through the pages."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD
from vanphong.org.models import Person, Unit


def _sign_in_admin(page, admin):
    import pyotp

    admin.totp_secret, admin.totp_confirmed = pyotp.random_base32(), True
    admin.save()
    page.goto("/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(admin.username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_label("Mã sáu chữ số").fill(pyotp.TOTP(admin.totp_secret).now())
    page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_url("**/")


@pytest.mark.django_db(transaction=True)
def test_admin_creates_unit_and_person(page, admin_a):
    _sign_in_admin(page, admin_a)
    page.get_by_role("link", name="Đơn vị").click()
    page.get_by_role("link", name="Thêm đơn vị").click()
    page.get_by_role("textbox", name="Tên", exact=True).fill("Văn phòng Tỉnh ủy")
    page.get_by_label("Tên viết tắt").fill("VP")
    screenshot(page, "unit-form-vi")
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url("**/org/units/")
    expect(page.get_by_role("link", name="Văn phòng Tỉnh ủy")).to_be_visible()
    unit = Unit.objects.get(name="Văn phòng Tỉnh ủy")
    page.get_by_role("link", name="Thêm đơn vị con").click()
    page.get_by_role("textbox", name="Tên", exact=True).fill("Phòng Hành chính – Văn thư")
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url("**/org/units/")
    child = Unit.objects.get(name="Phòng Hành chính – Văn thư")
    assert child.parent == unit
    screenshot(page, "units-vi")

    page.get_by_role("link", name="Cán bộ").click()
    page.get_by_role("link", name="Thêm cán bộ").click()
    page.get_by_label("Tên đăng nhập").fill("chuyenvien.moi")
    page.get_by_label("Họ và tên").fill("Đinh Thị Ngọc Ánh")
    page.get_by_label("Đơn vị").select_option(label="Phòng Hành chính – Văn thư")
    page.get_by_label("Chức vụ").fill("Chuyên viên")
    page.get_by_label("Chuyên viên", exact=True).check()
    page.get_by_label("Mức được tiếp cận").select_option(label="Mật")
    screenshot(page, "person-form-vi")
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url("**/org/people/*/")
    status = page.get_by_role("status").inner_text()
    assert "Mật khẩu tạm thời của chuyenvien.moi" in status
    screenshot(page, "person-detail-vi")
    person = Person.objects.get(username="chuyenvien.moi")
    assert person.unit == child and person.clearance == 1 and person.has_role("specialist") and person.must_change_password


@pytest.mark.django_db(transaction=True)
def test_admin_sees_clear_error_for_duplicate_username(page, admin_a, clerk_a):
    _sign_in_admin(page, admin_a)
    page.goto("/org/people/new/")
    page.get_by_label("Tên đăng nhập").fill("vanthu.a")
    page.get_by_label("Họ và tên").fill("Trùng Tên")
    page.get_by_role("button", name="Lưu").click()
    assert "Tên đăng nhập “vanthu.a” đã được dùng." in page.locator(".field.has-error").inner_text()
    assert Person.objects.filter(full_name="Trùng Tên").count() == 0
