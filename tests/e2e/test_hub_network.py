"""The IT staff's page of the exchange network: an operator sees each node's state, worst first, with what is wrong."""

import datetime as dt

import pyotp
import pytest
from django.utils import timezone

from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD, make_agency
from vanphong.hub import services
from vanphong.hub.identity import NodeIdentity
from vanphong.hub.models import NodeReport, Package


@pytest.mark.django_db(transaction=True)
def test_an_operator_sees_what_is_wrong_in_the_network(page, operator, agency_a, agency_b):
    now = timezone.now()
    healthy, silent = services.serve_agency(None, agency_a), services.serve_agency(None, agency_b)
    stuck = services.serve_agency(None, make_agency("000.00.00.G22", "Văn phòng Chính phủ", "VPCP", hosted=False))
    NodeReport.objects.create(member=healthy, reported_at=now, outbox_depth=0, inbox_depth=3,
                              certificates=[{"serial": "a1", "profile": "tls-client", "not_after": (now + dt.timedelta(days=200)).isoformat()}])
    NodeReport.objects.create(member=silent, reported_at=now - dt.timedelta(hours=3), outbox_depth=12, inbox_depth=0,
                              oldest_undelivered_at=now - dt.timedelta(hours=5),
                              certificates=[{"serial": "b1", "profile": "tls-client", "not_after": (now + dt.timedelta(days=9)).isoformat()}])
    package, _ = services.accept_package(NodeIdentity(healthy, "a1"), message_type="edoc", doc_id="000.00.00.T27,2026/12/07,45-CV/TU",
                                         recipient_code=stuck.agency.code, data=b"<edXML/>")
    Package.objects.filter(pk=package.pk).update(received_at=now - dt.timedelta(hours=2))

    operator.totp_secret, operator.totp_confirmed = pyotp.random_base32(), True
    operator.save()
    page.goto("/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(operator.username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_label("Mã sáu chữ số").fill(pyotp.TOTP(operator.totp_secret).now())
    page.get_by_role("button", name="Xác nhận").click()
    page.wait_for_url("**/")

    page.goto("/hub/network/")
    rows = page.locator("tbody tr")
    assert rows.count() == 3
    # Worst first: the silent node with its stuck outbox, the agency whose packages wait at the hub, then the healthy one.
    assert [rows.nth(i).locator("th code").inner_text() for i in range(3)] == ["000.00.00.G22", "000.00.00.H40", "000.00.00.T27"]
    silent_row = page.locator("tbody tr", has=page.locator("code", has_text="000.00.00.H40"))
    assert silent_row.locator(".badge.bad").count() == 1
    alerts = page.locator("ul.findings li")
    assert alerts.count() == 5  # G22: never reported, a package waiting; H40: silent, outbox stuck, certificate soon
    h40_alerts = page.locator("ul.findings li", has=page.locator("code", has_text="000.00.00.H40"))
    assert h40_alerts.locator(".badge.bad").count() == 2 and h40_alerts.locator(".badge.warn").count() == 1
    assert page.locator("ul.findings li", has=page.locator("code", has_text="000.00.00.T27")).count() == 0
    assert "12" in silent_row.locator("td.num").nth(1).inner_text()
    assert page.locator("tbody tr", has=page.locator("code", has_text="000.00.00.T27")).locator(".badge.ok").count() == 1
    assert page.locator(".card-value").nth(4).inner_text() == "1"  # one package waits at the hub
    screenshot(page, "hub-network")
    page.get_by_role("link", name="Kiểm tra lại").or_(page.get_by_role("link", name="Check again")).click()
    page.wait_for_url("**/hub/network/")
