"""The instance's operator is alerted of a silent node: the bell rings, the navigation shows "Exchange network"
with the number of nodes in trouble, the notification opens the network page; a clerk has no such link."""

import datetime as dt

import pyotp
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD
from vanphong.hub import alerts, services
from vanphong.hub.models import NodeReport


def _sign_in(page, person, *, second_factor: bool):
    if second_factor:
        person.totp_secret, person.totp_confirmed = pyotp.random_base32(), True
        person.save()
    page.goto("/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(person.username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    if second_factor:
        page.get_by_label("Mã sáu chữ số").fill(pyotp.TOTP(person.totp_secret).now())
        page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_url("**/")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()


@pytest.mark.django_db(transaction=True)
def test_the_operator_is_alerted_of_a_silent_node_and_a_clerk_sees_no_network_link(page, operator, clerk_a, agency_a, agency_b):
    member_a, member_b = services.serve_agency(None, agency_a), services.serve_agency(None, agency_b)
    NodeReport.objects.create(member=member_a, reported_at=timezone.now(), certificates=[])
    NodeReport.objects.create(member=member_b, reported_at=timezone.now() - dt.timedelta(minutes=40), certificates=[])
    assert alerts.scan().opened == 1

    _sign_in(page, operator, second_factor=True)
    link = page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Exchange network")
    expect(link).to_be_visible()
    expect(link.locator(".nav-count")).to_have_text("1 nodes with a problem")
    expect(page.locator("#bell .bell-count")).to_have_text("1 unread")
    page.locator("#bell").click()
    page.wait_for_url("**/notifications/")
    alert = page.locator("li.notification.unread")
    expect(alert).to_contain_text(f"Exchange network problem: no report from the node of {agency_b.name} ({agency_b.code})")
    screenshot(page, "network-alert-en")
    alert.get_by_role("button", name="Open").click()
    page.wait_for_url("**/hub/network/")
    expect(page.get_by_role("heading", name="Exchange network health")).to_be_visible()
    expect(link).to_have_attribute("aria-current", "page")
    screenshot(page, "network-page-from-alert-en")

    page.context.clear_cookies()
    _sign_in(page, clerk_a, second_factor=False)
    expect(page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="My work")).to_be_visible()
    expect(page.get_by_role("link", name="Exchange network")).to_have_count(0)
