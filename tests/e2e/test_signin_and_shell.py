"""A person signs in (with TOTP where the role needs it), switches language, signs out."""

import pyotp
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import PASSWORD, make_person


@pytest.mark.django_db(transaction=True)
def test_clerk_signs_in_and_sees_vietnamese_page(page, clerk_a):
    sign_in(page, "vanthu.a", PASSWORD)
    page.wait_for_url("**/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.get_by_role("heading", level=1).inner_text() == "Xin chào, Nguyễn Thị Văn Thư"
    expect(page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Trang chủ")).to_be_visible()
    screenshot(page, "home-clerk-vi")


@pytest.mark.django_db(transaction=True)
def test_wrong_password_shows_vietnamese_error(page, clerk_a):
    sign_in(page, "vanthu.a", "sai-mat-khau")
    assert page.get_by_role("alert").inner_text().strip() == "Tên đăng nhập hoặc mật khẩu không đúng."
    screenshot(page, "login-error-vi")


@pytest.mark.django_db(transaction=True)
def test_leader_signs_in_with_totp(page, agency_a):
    leader = make_person(agency_a, "lanhdao.a", "Trần Quốc Khánh", roles=["leader"], totp_secret=pyotp.random_base32(), totp_confirmed=True)
    page.goto("/accounts/login/")
    screenshot(page, "login-vi")
    page.get_by_label("Tên đăng nhập").fill("lanhdao.a")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/accounts/login/code/")
    screenshot(page, "login-code-vi")
    page.get_by_label("Mã sáu chữ số").fill("123456" if pyotp.TOTP(leader.totp_secret).now() != "123456" else "654321")
    page.get_by_role("button", name="Xác nhận").click()
    assert page.locator(".field.has-error .error").inner_text() == "Mã không đúng."
    page.get_by_label("Mã sáu chữ số").fill(pyotp.TOTP(leader.totp_secret).now())
    page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_url("**/")
    assert "Trần Quốc Khánh" in page.get_by_role("heading", level=1).inner_text()


@pytest.mark.django_db(transaction=True)
def test_new_ca_operator_enrols_totp(page, agency_a):
    make_person(agency_a, "ca.a", "Hoàng Đức Thắng", roles=["ca_operator"])
    sign_in(page, "ca.a", PASSWORD)
    page.wait_for_url("**/accounts/second-factor/")
    expect(page.locator(".qr svg")).to_be_visible()
    assert page.get_by_role("navigation").count() == 0  # nothing else to reach until the second factor is set up
    screenshot(page, "totp-setup-vi")
    secret = page.locator("#totp-secret").inner_text().strip()
    page.get_by_label("Mã sáu chữ số").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_url("**/")
    assert page.get_by_role("status").inner_text().strip().startswith("Đã thiết lập xác thực hai bước")


@pytest.mark.django_db(transaction=True)
def test_language_switch_is_one_click_and_sticks(page, clerk_a):
    sign_in(page, "vanthu.a", PASSWORD)
    page.wait_for_url("**/")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Welcome, Nguyễn Thị Văn Thư"
    screenshot(page, "home-clerk-en")
    page.get_by_role("link", name="Agency directory").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Agency directory"
    page.get_by_role("button", name="Tiếng Việt").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Danh bạ cơ quan"


@pytest.mark.django_db(transaction=True)
def test_phone_layout_keeps_navigation_reachable(browser, live_server, clerk_a):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="vi-VN")
    page = context.new_page()
    sign_in(page, "vanthu.a", PASSWORD)
    page.wait_for_url("**/")
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    expect(nav.get_by_role("link", name="Danh bạ cơ quan")).not_to_be_visible()  # menu starts closed on a phone
    nav.get_by_text("Danh mục").click()
    nav.get_by_role("link", name="Danh bạ cơ quan").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Danh bạ cơ quan"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "directory-phone-vi")
    context.close()
