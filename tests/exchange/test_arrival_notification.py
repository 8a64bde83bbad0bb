"""The bell when a package arrives: the receiving agency's clerks (those who may register it) get one
notification linking to the received package, once per package, in their language when they read it; a Mật
package only reaches clerks cleared for Mật; e-mail only for those who want e-mails."""

import pytest
from django.test import Client

from tests.conftest import signed_in
from tests.exchange.helpers import recall_request, received_package
from tests.exchange.test_inbox import package_bytes, signed_by
from tests.factories import make_person
from vanphong.core.clearance import Clearance
from vanphong.exchange import hooks, inbox
from vanphong.exchange.models import InboundPackage
from vanphong.notifications import selectors
from vanphong.notifications.models import Notification, OutgoingEmail, Preference

pytestmark = pytest.mark.django_db


@pytest.fixture
def people_a(agency_a, clerk_a):
    clerk_a.email = "vanthu.a@bacninh.gov.vn"
    clerk_a.save(update_fields=["email"])
    other_clerk = make_person(agency_a, "vanthu.a2", "Trần Văn Thư Hai", roles=["clerk"], email="vanthu.a2@bacninh.gov.vn")
    Preference.objects.create(person=other_clerk, email_enabled=False, language="en")
    leader = make_person(agency_a, "lanhdao.a", "Lê Văn Lãnh Đạo", roles=["leader"], email="lanhdao.a@bacninh.gov.vn")
    retired = make_person(agency_a, "vanthu.cu", "Đỗ Thị Nghỉ", roles=["clerk"], is_active=False)
    return {"clerk": clerk_a, "other_clerk": other_clerk, "leader": leader, "retired": retired}


def test_clerks_of_the_receiving_agency_are_told_once_with_a_link_to_the_package(agency_a, agency_b, seals, people_a, clerk_b):
    data = signed_by(seals[agency_b.code], package_bytes(agency_b, agency_a, subject="Về việc kiểm tra công tác văn thư"))
    intake = inbox.receive(data, agency=agency_a, transport_name="local")
    assert intake.outcome == "accepted"
    assert inbox.receive(data, agency=agency_a, transport_name="local").outcome == "duplicate"  # delivered again: no second bell

    rows = Notification.objects.filter(kind="package_received")
    assert sorted(rows.values_list("recipient__username", flat=True)) == ["vanthu.a", "vanthu.a2"]  # not the leader, the retired, B
    link = f"/exchange/received/{intake.package.pk}/"
    assert set(rows.values_list("link", flat=True)) == {link}
    said = selectors.described(rows.get(recipient=people_a["clerk"]))
    assert said.title == f"Received from {agency_b.name}: Về việc kiểm tra công tác văn thư"
    assert said.detail == "Register it in an incoming register, or reject it."
    # E-mail follows each person's settings: the second clerk turned e-mails off.
    assert list(OutgoingEmail.objects.values_list("address", flat=True)) == ["vanthu.a@bacninh.gov.vn"]

    # The bell counts it, and the link opens the package for the clerk.
    client = signed_in(Client(HTTP_ACCEPT_LANGUAGE="en"), people_a["clerk"])
    assert selectors.unread_count(people_a["clerk"]) == 1
    notification = rows.get(recipient=people_a["clerk"])
    opened = client.post(f"/notifications/{notification.pk}/read/", {"open": "1"})
    assert opened.status_code == 302 and opened["Location"] == link
    assert client.get(link).status_code == 200


def test_a_refused_package_rings_no_bell(agency_a, agency_b, seals, people_a):
    forged = signed_by(seals[agency_a.code], package_bytes(agency_b, agency_a))  # signed by another agency's seal
    assert inbox.receive(forged, agency=agency_a).outcome == "refused"
    assert not Notification.objects.filter(kind="package_received").exists()


def test_a_mat_package_reaches_only_clerks_cleared_for_it_and_a_recall_says_so(agency_a, agency_b, people_a):
    cleared = make_person(agency_a, "vanthu.mat", "Vũ Thị Mật", roles=["clerk"], clearance=Clearance.CONFIDENTIAL)
    sealed = received_package(agency_a, agency_b, subject="Báo cáo mật", number="7")
    InboundPackage.objects.filter(pk=sealed.pk).update(encrypted=True)
    sealed.refresh_from_db()
    hooks.package_received.send(sender=InboundPackage, package=sealed)
    assert list(Notification.objects.filter(kind="package_received").values_list("recipient", flat=True)) == [cleared.pk]
    # In an e-mail, which leaves the system, a Mật subject is never written.
    from vanphong.notifications.texts import words

    notification = Notification.objects.get(kind="package_received")
    assert "Báo cáo mật" not in words(notification.kind, notification.params, for_email=True).title

    plain = received_package(agency_a, agency_b, number="8")
    recall = recall_request(plain)
    hooks.package_received.send(sender=InboundPackage, package=recall)
    said = selectors.described(Notification.objects.get(kind="package_received", recipient=people_a["clerk"]))
    assert said.title == f"{agency_b.name} recalls a document: {plain.subject}"
