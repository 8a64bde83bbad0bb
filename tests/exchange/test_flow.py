"""Agency A issues a document to hosted agency B: one package per recipient agency in the issue's
transaction, the worker signs and delivers it through the local transport, B's inbox verifies it
and answers 01, B's clerk registers it (03) or rejects it (02), and the workflow's 04–06 follow."""

import pytest

from tests.exchange.helpers import issued_document
from tests.factories import make_agency, make_person
from vanphong.core.clearance import Clearance
from vanphong.core.errors import PermissionDenied, ValidationError
from vanphong.core.models import AuditRecord
from vanphong.documents.models import Document
from vanphong.exchange import cycle, outbox, selectors, services
from vanphong.exchange.models import InboundPackage, LocalMailbox, OutboundMessage, Receipt
from vanphong.pki import services as pki_services
from vanphong.workflow import events
from vanphong.workflow.models import StatusEvent

pytestmark = pytest.mark.django_db


def codes(document):
    return [r.code for r in Receipt.objects.filter(package__document=document).order_by("code")]


def test_issuing_writes_one_package_per_recipient_agency_and_the_round_trip_comes_back(clerk_a, clerk_b, agency_b, seals,
                                                                                       ca_operator):
    agency_c = make_agency("000.00.00.H41", "Ủy ban nhân dân tỉnh Hà Tĩnh", "UBND Hà Tĩnh")
    pki_services.issue_with_held_key(ca_operator, profile="agency-seal", holder_agency=agency_c)
    document = issued_document(clerk_a, [agency_b, agency_c])
    packages = OutboundMessage.objects.filter(document=document)
    assert sorted(p.recipient.code for p in packages) == ["000.00.00.H40", "000.00.00.H41"]
    assert {p.state for p in packages} == {"pending"}

    outcome = cycle.run_once()
    assert outcome["accepted"] == 2 and outcome["refused"] == 0
    received = InboundPackage.objects.get(agency=agency_b)
    assert received.state == "received" and received.sender.code == "000.00.00.T27"
    assert received.edxml_document_id == f"000.00.00.T27,{document.issued_date:%Y/%m/%d},{document.code_number}/{document.code_notation}"
    assert received.subject == document.subject and received.verification["valid"] is True
    assert received.verification["signer_agency_code"] == "000.00.00.T27"
    assert codes(document) == ["01", "01"]  # both recipients said it arrived
    assert not LocalMailbox.objects.exists()  # acknowledged

    incoming = services.register_received(clerk_b, received, doc_type="QĐ")
    assert incoming.agency == agency_b and incoming.direction == "in" and incoming.number == 1
    assert incoming.issuing_agency.code == "000.00.00.T27" and incoming.subject == document.subject
    assert incoming.attachments.get().filename == "Quyết định.pdf"
    assert StatusEvent.objects.get(document=incoming).code == "03"
    cycle.run_once()
    assert "03" in codes(document)
    assert StatusEvent.objects.get(document=incoming).delivered_at is not None

    for code in ("04", "05", "06"):
        events.record(incoming, code)
    cycle.run_once()
    on_b = [r.code for r in Receipt.objects.filter(package__document=document, package__recipient=agency_b)]
    assert on_b == ["01", "03", "04", "05", "06"]
    assert not StatusEvent.objects.filter(document=incoming, delivered_at__isnull=True).exists()
    timeline = {t.package.recipient.code: t.codes for t in selectors.document_timelines(clerk_a, document)}
    assert timeline == {"000.00.00.H40": ["01", "03", "04", "05", "06"], "000.00.00.H41": ["01"]}


def test_rejecting_sends_02_with_the_reason_and_registers_nothing(clerk_a, clerk_b, agency_b, seals):
    document = issued_document(clerk_a, [agency_b])
    cycle.run_once()
    received = InboundPackage.objects.get(agency=agency_b)
    with pytest.raises(ValidationError, match="Say why"):
        services.reject_received(clerk_b, received, reason="  ")
    services.reject_received(clerk_b, received, reason="Gửi nhầm cơ quan")
    cycle.run_once()
    receipt = Receipt.objects.get(package__document=document, code="02")
    assert receipt.description == "Gửi nhầm cơ quan"
    assert not Document.objects.filter(agency=agency_b).exists()
    with pytest.raises(ValidationError, match="already been decided"):
        services.register_received(clerk_b, received, doc_type="QĐ")
    assert AuditRecord.objects.filter(action="exchange.rejected").count() == 1


def test_only_a_clerk_of_the_receiving_agency_decides(clerk_a, clerk_b, agency_b, seals):
    issued_document(clerk_a, [agency_b])
    cycle.run_once()
    received = InboundPackage.objects.get(agency=agency_b)
    specialist_b = make_person(agency_b, "chuyenvien.b", "Chuyên Viên B", roles=["specialist"])
    for person in (clerk_a, specialist_b):
        with pytest.raises(PermissionDenied):
            services.register_received(person, received, doc_type="QĐ")
        with pytest.raises(PermissionDenied):
            services.reject_received(person, received, reason="không")
        assert not selectors.received_packages(person).exists()
    received.refresh_from_db()
    assert received.state == "received"


def test_top_secret_and_secret_documents_are_refused_with_nothing_queued(clerk_a, agency_b, seals, agency_a):
    clerk_a.clearance = Clearance.TOP_SECRET
    clerk_a.save()
    for level in (Clearance.SECRET, Clearance.TOP_SECRET):
        document = issued_document(clerk_a, [agency_b], confidentiality=level, files=False)
        package = OutboundMessage.objects.get(document=document)
        assert package.state == "refused" and "Tối mật" in package.last_error
    assert cycle.run_once()["sent"] == 0
    assert not InboundPackage.objects.exists() and not LocalMailbox.objects.exists()


def test_a_confidential_document_travels_encrypted_and_only_cleared_clerks_see_it(clerk_a, clerk_b, agency_b, seals):
    clerk_a.clearance = Clearance.CONFIDENTIAL
    clerk_a.save()
    document = issued_document(clerk_a, [agency_b], confidentiality=Clearance.CONFIDENTIAL, subject="Kế hoạch bảo vệ bí mật")
    cycle.run_once()
    package = OutboundMessage.objects.get(document=document)
    from vanphong.core import storage

    assert package.state == "sent" and "Kế hoạch".encode() not in storage.read_bytes(package.payload_sha256)
    received = InboundPackage.objects.get(agency=agency_b)
    assert received.encrypted and received.state == "received"
    assert not selectors.received_packages(clerk_b).exists()  # clerk B has no clearance
    clerk_b.clearance = Clearance.CONFIDENTIAL
    clerk_b.save()
    assert selectors.received_packages(clerk_b).get() == received
    with pytest.raises(ValidationError, match="register it as Mật"):
        services.register_received(clerk_b, received, doc_type="KH")
    incoming = services.register_received(clerk_b, received, doc_type="KH", confidentiality=Clearance.CONFIDENTIAL)
    assert incoming.confidentiality == Clearance.CONFIDENTIAL


def test_nothing_is_queued_when_the_issue_rolls_back(clerk_a, agency_b, seals, monkeypatch):
    from vanphong.documents import hooks

    def fail(actor, document):
        raise ValidationError("not yet")

    monkeypatch.setattr(hooks, "issue_checks", [fail])
    with pytest.raises(ValidationError):
        issued_document(clerk_a, [agency_b])
    assert not OutboundMessage.objects.exists()


def test_without_a_seal_certificate_the_package_waits_with_a_reason(clerk_a, agency_b, pki):
    document = issued_document(clerk_a, [agency_b])
    outcome = outbox.deliver_all()
    package = OutboundMessage.objects.get(document=document)
    assert outcome.sent == 0 and package.state == "pending" and package.attempts == 1
    assert "no valid seal certificate" in package.last_error and package.next_attempt_at > package.created_at
