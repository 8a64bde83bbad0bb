"""Recall (BussinessDocType 1) end to end between two hosted agencies: A's clerk recalls a document
that reached B, with a reason; a signed recall package goes through the outbox; B answers 13 on
arrival; B's clerk accepts (15: the package is withdrawn) or refuses (16, with a reason); A sees
each answer on the per-recipient timeline. Bad input is refused with a clear message and changes
nothing."""

import pytest

from tests.exchange.helpers import issued_document
from tests.factories import make_agency, make_person
from vanphong.core.errors import PermissionDenied, ValidationError
from vanphong.core.models import AuditRecord
from vanphong.exchange import cycle, inbox, selectors, services
from vanphong.exchange.edxml import model, reader
from vanphong.exchange.models import InboundPackage, OutboundMessage, Receipt
from vanphong.pki import services as pki_services

pytestmark = pytest.mark.django_db


def recall_codes(document, recipient):
    return [r.code for r in Receipt.objects.filter(package__document=document, package__recipient=recipient,
                                                   package__business_doc_type=1).order_by("code")]


def document_codes(document, recipient):
    return [r.code for r in Receipt.objects.filter(package__document=document, package__recipient=recipient,
                                                   package__business_doc_type=0).order_by("code")]


@pytest.fixture
def delivered(clerk_a, clerk_b, agency_b, seals):
    """A's document, delivered to B and answered 01."""
    document = issued_document(clerk_a, [agency_b])
    cycle.run_once()
    return document, InboundPackage.objects.get(agency=agency_b)


def test_a_recall_travels_signed_b_accepts_and_a_sees_13_then_15(clerk_a, clerk_b, agency_b, delivered):
    document, original = delivered
    services.recall_document(clerk_a, document, reason="Văn bản ban hành nhầm đối tượng")
    recall = OutboundMessage.objects.get(document=document, business_doc_type=1)
    assert recall.state == "pending" and recall.recipient == agency_b and recall.description == "Văn bản ban hành nhầm đối tượng"

    cycle.run_once()
    recall.refresh_from_db()
    assert recall.state == "sent"
    from vanphong.core import storage

    read = reader.read(storage.read_bytes(recall.payload_sha256))
    assert read.package.bussiness.bussiness_doc_type == model.BUSINESS_RECALL
    assert read.package.bussiness.bussiness_doc_reason == "Văn bản ban hành nhầm đối tượng"
    assert read.package.bussiness.document_id == original.edxml_document_id
    assert read.package.attachments == []  # the recipient has the files; the recall only names the document
    request = InboundPackage.objects.get(agency=agency_b, business_doc_type=1)
    assert request.state == "received" and request.original == original and request.verification["valid"] is True
    assert recall_codes(document, agency_b) == ["13"]  # recall requested, recorded on arrival
    assert document_codes(document, agency_b) == ["01"]

    services.accept_request(clerk_b, request)
    cycle.run_once()
    request.refresh_from_db()
    original.refresh_from_db()
    assert request.state == "accepted" and request.decided_by == clerk_b
    assert original.state == "recalled"
    assert recall_codes(document, agency_b) == ["13", "15"]
    with pytest.raises(ValidationError, match="already been decided"):  # the withdrawn package cannot be registered
        services.register_received(clerk_b, original, doc_type="QĐ")
    timeline = {(t.package.recipient.code, t.package.business_doc_type): t.codes for t in selectors.document_timelines(clerk_a, document)}
    assert timeline == {("000.00.00.H40", 0): ["01"], ("000.00.00.H40", 1): ["13", "15"]}
    assert AuditRecord.objects.filter(action="exchange.recall_sent").count() == 1
    assert AuditRecord.objects.filter(action="exchange.recall_accepted").count() == 1


def test_accepting_the_recall_of_a_document_being_handled_ends_its_round(clerk_a, clerk_b, agency_b, delivered):
    """The round in progress ends WITHDRAWN through the workflow (handling.end_handling), with the sender's reason;
    nothing more can be done on the document; 04 recorded before the recall but not yet gone out stays here."""
    document, original = delivered
    incoming = services.register_received(clerk_b, original, doc_type="QĐ")
    cycle.run_once()  # 03 goes back
    from vanphong.workflow import handling
    from vanphong.workflow.models import Assignment, StatusEvent, Task, Withdrawal

    leader_b = make_person(agency_b, "lanhdao.b", "Lãnh Đạo B", roles=["leader"])
    specialist_b = make_person(agency_b, "chuyenvien.b", "Chuyên Viên B", roles=["specialist"])
    handling.assign(leader_b, incoming, lead=specialist_b)
    services.recall_document(clerk_a, document, reason="Thay đổi kế hoạch")
    # The recall arrives before the worker queued the 04 of the assignment (delivery and intake only).
    from vanphong.exchange import outbox

    outbox.deliver_all()
    inbox.receive_all()
    request = InboundPackage.objects.get(agency=agency_b, business_doc_type=1)
    services.accept_request(clerk_b, request)
    original.refresh_from_db()
    assert original.state == "recalled" and original.document == incoming
    assignment = Assignment.objects.get(document=incoming)
    assert assignment.status == "withdrawn"
    assert not Task.objects.filter(document=incoming, status="open").exists()
    withdrawal = Withdrawal.objects.get(document=incoming)
    assert (withdrawal.kind, withdrawal.reason, withdrawal.withdrawn_by) == ("recalled", "Thay đổi kế hoạch", clerk_b)
    with pytest.raises(ValidationError, match="The sender recalled this document"):
        handling.assign(leader_b, incoming, lead=specialist_b)
    cycle.run_once()
    assert recall_codes(document, agency_b) == ["13", "15"]
    sent = set(OutboundMessage.objects.filter(inbound=original, kind="status").values_list("status_code", flat=True))
    assert "03" in sent and not sent & {"04", "05", "06"}  # nothing about handling that no longer goes on
    assert StatusEvent.objects.get(document=incoming, code="04").delivered_at is None


def test_b_refuses_with_a_reason_and_a_sees_16(clerk_a, clerk_b, agency_b, delivered):
    document, original = delivered
    services.recall_document(clerk_a, document, reason="Nhầm")
    cycle.run_once()
    request = InboundPackage.objects.get(agency=agency_b, business_doc_type=1)
    with pytest.raises(ValidationError, match="Say why the recall is refused"):
        services.refuse_request(clerk_b, request, reason=" ")
    services.refuse_request(clerk_b, request, reason="Văn bản đã được triển khai")
    cycle.run_once()
    original.refresh_from_db()
    assert original.state == "received"  # untouched: still there to register
    receipt = Receipt.objects.get(package__document=document, package__business_doc_type=1, code="16")
    assert receipt.description == "Văn bản đã được triển khai"
    for decide in (lambda: services.refuse_request(clerk_b, request, reason="lần nữa"), lambda: services.accept_request(clerk_b, request)):
        with pytest.raises(ValidationError, match="already been decided"):  # twice the same (or another) decision
            decide()
    assert recall_codes(document, agency_b) == ["13", "16"]


def test_bad_recalls_are_refused_and_change_nothing(clerk_a, clerk_b, agency_a, agency_b, delivered, seals):
    document, original = delivered
    never_sent = issued_document(clerk_a, [])  # no recipient agency: nothing went anywhere
    with pytest.raises(ValidationError, match="has not reached any agency"):
        services.recall_document(clerk_a, never_sent, reason="Nhầm")
    with pytest.raises(ValidationError, match="Say why the document is recalled"):
        services.recall_document(clerk_a, document, reason="")
    with pytest.raises(ValidationError, match="too long"):
        services.recall_document(clerk_a, document, reason="x" * 2001)
    specialist_a = make_person(agency_a, "chuyenvien.a", "Chuyên Viên A", roles=["specialist"])
    for person in (clerk_b, specialist_a):  # a clerk of another agency; someone who is not a clerk
        with pytest.raises(PermissionDenied):
            services.recall_document(person, document, reason="Nhầm")
    assert not OutboundMessage.objects.filter(business_doc_type=1).exists()
    # The document package is not a recall and the other way round.
    with pytest.raises(ValidationError, match="not a recall"):
        services.accept_request(clerk_b, original)
    services.recall_document(clerk_a, document, reason="Nhầm")
    with pytest.raises(ValidationError, match="already been recalled"):
        services.recall_document(clerk_a, document, reason="Nhầm lần hai")
    assert OutboundMessage.objects.filter(business_doc_type=1).count() == 1
    cycle.run_once()
    request = InboundPackage.objects.get(agency=agency_b, business_doc_type=1)
    with pytest.raises(ValidationError, match="accept or refuse it first"):
        services.register_received(clerk_b, request, doc_type="QĐ")
    with pytest.raises(ValidationError, match="accept or refuse it first"):
        services.reject_received(clerk_b, request, reason="không")
    with pytest.raises(PermissionDenied):  # a clerk of the sending agency does not decide for B
        services.accept_request(clerk_a, request)
    request.refresh_from_db()
    assert request.state == "received"


def _recall_bytes(sender, recipient, document_id, *, business_doc_type=1):
    """A recall (or another request) package signed with `sender`'s seal, naming `document_id`."""
    import datetime as dt

    from vanphong.exchange.edxml import writer
    from vanphong.exchange.packages import organization
    from vanphong.signing import credentials, xmldsig
    from vanphong.signing import selectors as signing_selectors

    # The header's DocumentId is the sender's own (the writer insists); Bussiness/DocumentId names what is recalled.
    own_id = model.document_id_for(sender.code, dt.date(2026, 11, 2), "7", "QĐ-UBND")
    edoc = model.Edoc(from_=organization(sender), to=[organization(recipient)], document_id=own_id,
                      code=model.Code("7", "QĐ-UBND"), promulgation_info=model.PromulgationInfo(promulgation_date=dt.date(2026, 11, 2)),
                      subject="Thu hồi", bussiness=model.Bussiness(document_id=document_id, bussiness_doc_type=business_doc_type,
                                                                   bussiness_doc_reason="Nhầm"))
    return xmldsig.sign_package(writer.write(edoc), credentials.held(signing_selectors.held_seal_certificate(sender)))


def test_a_recall_from_another_agency_or_of_a_document_never_received_is_refused_with_02(clerk_a, agency_a, agency_b, delivered,
                                                                                           ca_operator):
    document, original = delivered
    agency_c = make_agency("000.00.00.H41", "Ủy ban nhân dân tỉnh Hà Tĩnh", "UBND Hà Tĩnh")
    pki_services.issue_with_held_key(ca_operator, profile="agency-seal", holder_agency=agency_c)
    intake = inbox.receive(_recall_bytes(agency_c, agency_b, original.edxml_document_id), agency=agency_b)
    assert intake.outcome == "refused" and "only its sender may recall it" in intake.reason
    assert OutboundMessage.objects.filter(inbound=intake.package, status_code="02").exists()
    intake = inbox.receive(_recall_bytes(agency_a, agency_b, "000.00.00.T27,2026/11/02,7/QĐ-UBND"), agency=agency_b)
    assert intake.outcome == "refused" and "never received" in intake.reason
    original.refresh_from_db()
    assert original.state == "received"
    assert not InboundPackage.objects.filter(business_doc_type=1).exclude(state="refused").exists()
    assert AuditRecord.objects.filter(action="exchange.refused_on_arrival").count() == 2


def test_a_recall_cannot_be_imported_from_a_file(agency_a, agency_b, delivered):
    document, original = delivered
    intake = inbox.receive(_recall_bytes(agency_a, agency_b, original.edxml_document_id), agency=agency_b, unverified=True)
    assert intake.outcome == "refused" and "cannot be imported" in intake.reason


def test_the_recall_of_a_confidential_document_travels_encrypted_and_waits_for_cleared_clerks(clerk_a, clerk_b, agency_b, seals):
    from vanphong.core import storage
    from vanphong.core.clearance import Clearance

    clerk_a.clearance = Clearance.CONFIDENTIAL
    clerk_a.save()
    document = issued_document(clerk_a, [agency_b], confidentiality=Clearance.CONFIDENTIAL, subject="Kế hoạch bảo vệ bí mật")
    cycle.run_once()
    services.recall_document(clerk_a, document, reason="Thu hồi văn bản mật")
    cycle.run_once()
    recall = OutboundMessage.objects.get(document=document, business_doc_type=1)
    assert recall.state == "sent" and "Thu hồi văn bản mật".encode() not in storage.read_bytes(recall.payload_sha256)
    request = InboundPackage.objects.get(agency=agency_b, business_doc_type=1)
    assert request.encrypted and request.original.encrypted
    assert not selectors.received_packages(clerk_b).exists()  # clerk B has no clearance
    with pytest.raises(PermissionDenied):
        services.accept_request(clerk_b, request)
    clerk_b.clearance = Clearance.CONFIDENTIAL
    clerk_b.save()
    assert set(selectors.received_packages(clerk_b)) == {request, request.original}
    services.accept_request(clerk_b, request)
    cycle.run_once()
    assert recall_codes(document, agency_b) == ["13", "15"]
