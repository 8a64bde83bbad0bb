"""An administrator decides whether SHA-1 XML signatures from other systems are accepted."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.test_admin_pages import _sign_in_admin
from vanphong.signing import selectors


@pytest.mark.django_db(transaction=True)
def test_administrator_accepts_then_refuses_sha1_signatures(page, admin_a):
    _sign_in_admin(page, admin_a)
    page.locator('nav.sidebar a[href="/signing/trusted-roots/"]').click()
    page.get_by_role("link", name="Chữ ký XML từ hệ thống khác").click()
    page.wait_for_url("**/signing/xml-signatures/")
    expect(page.get_by_role("heading", name="Chữ ký XML từ hệ thống khác")).to_be_visible()
    assert page.get_by_label("Từ chối (khuyến nghị)").is_checked()
    screenshot(page, "xml-policy-vi")
    page.get_by_label("Chấp nhận, đánh dấu là yếu trong mọi báo cáo kiểm tra").check()
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url("**/signing/xml-signatures/")
    assert "được chấp nhận" in page.get_by_role("status").inner_text()
    assert selectors.xml_signature_policy().accept_sha1
    assert admin_a.full_name in page.locator("main").inner_text()
    screenshot(page, "xml-policy-accepted-vi")

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="XML signatures from other systems")).to_be_visible()
    page.get_by_label("Refuse them (recommended)").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/signing/xml-signatures/")
    assert "refused" in page.get_by_role("status").inner_text()
    assert not selectors.xml_signature_policy().accept_sha1
    screenshot(page, "xml-policy-en")
