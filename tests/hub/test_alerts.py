"""Alerts on the exchange network: the instance's operators are told when a node gets into trouble, once per
episode however often the scan runs, in the app and by e-mail through a real SMTP server, and again when it is
over; the scan is a recurring task of the worker that restarts neither lose nor double."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.conftest import signed_in
from tests.factories import make_person
from tests.notifications.conftest import smtp  # noqa: F401  (the real SMTP server)
from vanphong.core.models import AuditRecord
from vanphong.core.worker import worker_started
from vanphong.hub import alerts, tasks
from vanphong.hub.models import NodeAlert, NodeReport
from vanphong.notifications import delivery, selectors
from vanphong.notifications import tasks as notification_tasks
from vanphong.notifications.models import Notification, OutgoingEmail, Preference

pytestmark = pytest.mark.django_db
SCAN = "vanphong.hub.tasks.scan_network_alerts"


@pytest.fixture
def operators(operator, admin_a):
    operator.email = "vanhanh@truc.gov.vn"
    operator.save(update_fields=["email"])
    second = make_person(admin_a.agency, "vanhanh.2", "Đinh Văn Trực", is_superuser=True, email="vanhanh.2@truc.gov.vn")
    admin_a.email = "quantri.a@bacninh.gov.vn"  # an agency's administrator is not an operator of the instance
    admin_a.save(update_fields=["email"])
    for person in (operator, second):  # their e-mails in English, the msgids (Vietnamese comes from the catalogue)
        Preference.objects.create(person=person, language="en")
    return [operator, second]


def reported(member, *, minutes_ago=1, expiry_days=300):
    NodeReport.objects.update_or_create(member=member, defaults={
        "reported_at": timezone.now() - dt.timedelta(minutes=minutes_ago), "outbox_depth": 0, "inbox_depth": 0,
        "certificates": [{"serial": "ab", "profile": "tls-client",
                          "not_after": (timezone.now() + dt.timedelta(days=expiry_days)).isoformat()}]})


def test_a_silent_node_is_alerted_once_by_email_and_resolved_when_it_reports_again(smtp, operators, member_a, member_b):  # noqa: F811
    reported(member_a)
    reported(member_b, minutes_ago=40)  # silent for longer than VANPHONG_HUB_SILENT_MINUTES (15)
    assert alerts.scan().as_dict() == {"opened": 1, "resolved": 0}
    assert alerts.scan().as_dict() == {"opened": 0, "resolved": 0}  # the scan again: the same episode, nothing new
    assert delivery.deliver_all().sent == 2
    assert alerts.scan().as_dict() == {"opened": 0, "resolved": 0}
    assert delivery.deliver_all().sent == 0

    for person in operators:
        (message,) = smtp.mailbox.to(person.email)
        assert message["Subject"].strip() == (f"[VănPhòng] Exchange network problem: no report from the node of {member_b.agency.name} "
                                      f"({member_b.agency.code})")
        assert "/hub/network/" in message.get_content()
    assert smtp.mailbox.to("quantri.a@bacninh.gov.vn") == []
    (alert,) = NodeAlert.objects.all()
    assert (alert.member, alert.problem, alert.level, alert.resolved_at) == (member_b, "silent", "problem", None)
    assert AuditRecord.objects.filter(action="hub.alert.raised", target_id=str(alert.pk)).count() == 1

    # In the app, in the reader's language: the bell counts it and it links to the network page.
    notification = Notification.objects.get(recipient=operators[0], kind="network_problem")
    assert notification.link == "/hub/network/" and selectors.unread_count(operators[0]) == 1
    from django.utils import translation

    with translation.override("en"):
        said = selectors.described(notification)
    assert said.title == f"Exchange network problem: no report from the node of {member_b.agency.name} ({member_b.agency.code})"
    assert said.detail.startswith("Its last report came at ")

    reported(member_b)  # the node reports again
    assert alerts.scan().as_dict() == {"opened": 0, "resolved": 1}
    assert alerts.scan().as_dict() == {"opened": 0, "resolved": 0}
    assert delivery.deliver_all().sent == 2
    for person in operators:
        first, resolved = smtp.mailbox.to(person.email)
        assert resolved["Subject"].strip().startswith("[VănPhòng] Resolved on the exchange network: no report from the node of")
        assert "Found at " in resolved.get_content()
    alert.refresh_from_db()
    assert alert.resolved_at is not None

    reported(member_b, minutes_ago=30)  # silent again: a new episode, told again
    assert alerts.scan().as_dict() == {"opened": 1, "resolved": 0}
    assert delivery.deliver_all().sent == 2
    assert NodeAlert.objects.count() == 2 and Notification.objects.filter(kind="network_problem").count() == 4


def test_a_certificate_entering_the_warning_window_is_alerted_and_a_node_that_never_reported_is_not(operators, member_a, member_b):
    reported(member_a, expiry_days=10)  # VANPHONG_CERTIFICATE_WARNING_DAYS: 30
    # member_b never reported: the page says so, but it is no alert (a node being set up)
    assert alerts.scan().as_dict() == {"opened": 1, "resolved": 0}
    (alert,) = NodeAlert.objects.all()
    assert (alert.member, alert.problem, alert.level) == (member_a, "certificate_expiring", "warning")
    notification = Notification.objects.get(recipient=operators[0])
    from django.utils import translation

    with translation.override("en"):
        said = selectors.described(notification)
    assert said.title.startswith("Exchange network, attention: a certificate of the node of")
    assert said.detail.startswith(f"It expires on {(timezone.localtime() + dt.timedelta(days=10)).strftime('%d/%m/%Y')}")
    assert alerts.nodes_in_trouble() == 0  # a warning is no problem in the navigation's badge

    reported(member_a, expiry_days=-1)  # not renewed in time: the warning becomes the problem it warned of
    assert alerts.scan().as_dict() == {"opened": 1, "resolved": 1}
    assert list(Notification.objects.filter(recipient=operators[0]).values_list("kind", flat=True)) == [
        "network_problem", "network_problem"]  # no "resolved" for a warning that came true
    assert alerts.nodes_in_trouble() == 1


def test_the_scan_is_queued_once_by_each_worker_that_starts_and_a_restart_loses_no_alert(smtp, operators, member_b, settings):  # noqa: F811
    def queued(path):
        return DBTaskResult.objects.filter(task_path=path, status="READY")

    worker_started.send(sender=None)
    worker_started.send(sender=None)  # a second worker, or the same restarted
    assert queued(SCAN).count() == 1
    queued(SCAN).delete()

    reported(member_b, minutes_ago=40)
    settings.VANPHONG_HUB_ALERT_SCAN_SECONDS = 45
    assert tasks.scan_network_alerts.call() == {"opened": 1, "resolved": 0}
    (following,) = queued(SCAN)  # each run queues the next
    assert timezone.now() + dt.timedelta(seconds=40) < following.run_after < timezone.now() + dt.timedelta(seconds=50)

    # The worker dies after claiming the e-mails and before sending them; it restarts.
    delivery.claim_due()
    assert OutgoingEmail.objects.filter(status="pending").count() == 2
    worker_started.send(sender=None)
    assert queued(SCAN).count() == 1  # still one scan waiting
    assert tasks.scan_network_alerts.call() == {"opened": 0, "resolved": 0}  # the episode is kept: nothing told twice
    later = timezone.now() + delivery.lease() + dt.timedelta(seconds=1)
    assert delivery.deliver_due(now=later).sent == 2  # the claim lapsed: the e-mails go, once each
    assert notification_tasks.deliver_emails.call() == {"sent": 0, "failed": 0, "cancelled": 0}
    assert sorted(rcpt for rcpt, _message in smtp.mailbox.messages) == [("vanhanh.2@truc.gov.vn",), ("vanhanh@truc.gov.vn",)]


def test_the_navigation_links_the_network_page_for_operators_with_its_problems_and_not_for_others(operators, admin_a, clerk_a,
                                                                                                   member_a, member_b):
    reported(member_a)
    reported(member_b, minutes_ago=40)
    alerts.scan()
    page = signed_in(Client(HTTP_ACCEPT_LANGUAGE="en"), operators[0]).get("/")
    text = page.content.decode()
    assert '<a href="/hub/network/">Exchange network' in text
    assert '<span class="nav-count bad" title="nodes with a problem">1<' in text
    for person in (admin_a, clerk_a):
        assert "/hub/network/" not in signed_in(Client(HTTP_ACCEPT_LANGUAGE="en"), person).get("/").content.decode()
