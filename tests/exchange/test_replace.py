"""Replacement (BussinessDocType 3) end to end between two hosted agencies: A's clerk drafts the
document that replaces an issued one (same recipients), completes and issues it; its packages name
the old document in ReplacementInfoList; B answers 01; B's clerk accepts (15: the old package is
marked replaced, the new one is then registered like any document) or refuses (16). Bad input
changes nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.exchange.helpers import issued_document
from tests.factories import make_agency, make_person
from tests.signing.conftest import make_pdf
from vanphong.core import storage
from vanphong.core.errors import PermissionDenied, ValidationError
from vanphong.core.models import AuditRecord
from vanphong.documents import services as documents
from vanphong.documents.attachments import store
from vanphong.exchange import cycle, inbox, selectors, services
from vanphong.exchange.edxml import model, reader
from vanphong.exchange.models import InboundPackage, OutboundMessage, Receipt, Replacement
from vanphong.pki import services as pki_services
from vanphong.signing import document_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered(clerk_a, clerk_b, agency_b, seals):
    document = issued_document(clerk_a, [agency_b])
    cycle.run_once()
    return document, InboundPackage.objects.get(agency=agency_b)


def issue_replacement(clerk, document, reason="Thay thế do sai sót nội dung"):
    draft = services.draft_replacement(clerk, document, reason=reason)
    documents.attach_files(clerk, draft, [store(SimpleUploadedFile("Quyết định thay thế.pdf", make_pdf(1, "Thay thế")))])
    document_services.mark_signed_on_paper(clerk, draft)
    return documents.issue_outgoing(clerk, draft)


def test_a_replaces_the_document_b_accepts_the_old_is_marked_replaced_and_the_new_registered(clerk_a, clerk_b, agency_b, delivered):
    document, original = delivered
    old_incoming = services.register_received(clerk_b, original, doc_type="QĐ")
    new = issue_replacement(clerk_a, document)
    assert list(new.recipients.values_list("agency", flat=True)) == [agency_b.pk] and new.subject == document.subject
    assert Replacement.objects.get(document=new).replaced == document
    package = OutboundMessage.objects.get(document=new)
    assert package.business_doc_type == 3 and package.description == "Thay thế do sai sót nội dung"

    cycle.run_once()
    package.refresh_from_db()
    edoc = reader.read(storage.read_bytes(package.payload_sha256)).package
    assert edoc.bussiness.bussiness_doc_type == model.BUSINESS_REPLACE
    assert [(r.document_id, r.organ_ids) for r in edoc.bussiness.replacements] == [(original.edxml_document_id, [agency_b.code])]
    incoming = InboundPackage.objects.get(agency=agency_b, business_doc_type=3)
    assert incoming.original == original and incoming.is_request and incoming.edxml_document_id != original.edxml_document_id
    with pytest.raises(ValidationError, match="accept or refuse it first"):  # decided first
        services.register_received(clerk_b, incoming, doc_type="QĐ")
    assert [r.code for r in Receipt.objects.filter(package=package)] == ["01"]

    services.accept_request(clerk_b, incoming)
    original.refresh_from_db()
    incoming.refresh_from_db()
    assert original.state == "replaced" and original.document == old_incoming
    assert incoming.state == "received" and not incoming.is_request
    with pytest.raises(ValidationError, match="already been accepted: register it"):  # twice the same decision
        services.accept_request(clerk_b, incoming)
    registered = services.register_received(clerk_b, incoming, doc_type="QĐ")
    assert registered.attachments.get().filename == "Quyết định thay thế.pdf"
    cycle.run_once()
    assert [r.code for r in Receipt.objects.filter(package=package).order_by("code")] == ["01", "03", "15"]
    timeline = {t.package.recipient.code: t.codes for t in selectors.document_timelines(clerk_a, new)}
    assert timeline == {"000.00.00.H40": ["01", "03", "15"]}
    assert AuditRecord.objects.filter(action="exchange.replacement_accepted").count() == 1


def test_accepting_a_replacement_ends_the_old_documents_round_as_replaced(clerk_a, clerk_b, agency_b, delivered):
    from vanphong.workflow import handling
    from vanphong.workflow.models import Task, Withdrawal

    document, original = delivered
    old_incoming = services.register_received(clerk_b, original, doc_type="QĐ")
    leader_b = make_person(agency_b, "lanhdao.b", "Lãnh Đạo B", roles=["leader"])
    specialist_b = make_person(agency_b, "chuyenvien.b", "Chuyên Viên B", roles=["specialist"])
    old_round = handling.assign(leader_b, old_incoming, lead=specialist_b, instructions="Triển khai ngay.")
    issue_replacement(clerk_a, document, reason="Sai số liệu phụ lục")
    cycle.run_once()
    incoming = InboundPackage.objects.get(agency=agency_b, business_doc_type=3)
    services.accept_request(clerk_b, incoming)
    incoming.refresh_from_db()
    old_round.refresh_from_db()
    withdrawal = Withdrawal.objects.get(document=old_incoming)
    assert old_round.status == "withdrawn" and withdrawal.assignment == old_round
    assert (withdrawal.kind, withdrawal.reason) == ("replaced", "Sai số liệu phụ lục")
    assert Task.objects.get(assignment=old_round).status == "withdrawn"
    with pytest.raises(ValidationError, match="The sender replaced this document"):
        handling.assign(leader_b, old_incoming, lead=specialist_b)
    new_incoming = services.register_received(clerk_b, incoming, doc_type="QĐ")  # the new one, registered and handled as any
    assert handling.assign(leader_b, new_incoming, lead=specialist_b).status == "open"


def test_b_refuses_the_replacement_and_the_old_one_stays(clerk_a, clerk_b, agency_b, delivered):
    document, original = delivered
    new = issue_replacement(clerk_a, document)
    cycle.run_once()
    incoming = InboundPackage.objects.get(agency=agency_b, business_doc_type=3)
    with pytest.raises(ValidationError, match="Say why the replacement is refused"):
        services.refuse_request(clerk_b, incoming, reason="")
    services.refuse_request(clerk_b, incoming, reason="Chưa nhận được văn bản giấy")
    cycle.run_once()
    original.refresh_from_db()
    assert original.state == "received"
    assert Receipt.objects.get(package__document=new, code="16").description == "Chưa nhận được văn bản giấy"
    with pytest.raises(ValidationError, match="already been decided"):
        services.accept_request(clerk_b, incoming)


def test_bad_replacements_are_refused_and_change_nothing(clerk_a, clerk_b, agency_a, agency_b, delivered):
    document, original = delivered
    with pytest.raises(ValidationError, match="Say why the document is replaced"):
        services.draft_replacement(clerk_a, document, reason=" ")
    specialist_a = make_person(agency_a, "chuyenvien.a", "Chuyên Viên A", roles=["specialist"])
    for person in (clerk_b, specialist_a):
        with pytest.raises(PermissionDenied):
            services.draft_replacement(person, document, reason="Thay thế")
    never_sent = issued_document(clerk_a, [], subject="Văn bản không gửi liên thông")
    with pytest.raises(ValidationError, match="has not reached any agency"):
        services.draft_replacement(clerk_a, never_sent, reason="Thay thế")
    draft = documents.create_outgoing_draft(clerk_a, doc_type="QĐ", subject="Dự thảo")
    with pytest.raises(ValidationError, match="Only an issued outgoing document"):
        services.draft_replacement(clerk_a, draft, reason="Thay thế")
    assert not Replacement.objects.exists() and not AuditRecord.objects.filter(action="exchange.replacement_drafted").exists()
    services.draft_replacement(clerk_a, document, reason="Thay thế")
    with pytest.raises(ValidationError, match="already has a replacement"):
        services.draft_replacement(clerk_a, document, reason="Thay thế lần hai")
    assert Replacement.objects.count() == 1


def test_a_replacement_of_another_agencys_document_is_refused_with_02(agency_b, delivered, ca_operator):
    import datetime as dt

    from vanphong.exchange.edxml import writer
    from vanphong.exchange.packages import organization
    from vanphong.signing import credentials, xmldsig
    from vanphong.signing import selectors as signing_selectors

    document, original = delivered
    agency_c = make_agency("000.00.00.H41", "Ủy ban nhân dân tỉnh Hà Tĩnh", "UBND Hà Tĩnh")
    pki_services.issue_with_held_key(ca_operator, profile="agency-seal", holder_agency=agency_c)
    own_id = model.document_id_for(agency_c.code, dt.date(2026, 11, 2), "9", "QĐ-UBND")
    edoc = model.Edoc(from_=organization(agency_c), to=[organization(agency_b)], document_id=own_id, code=model.Code("9", "QĐ-UBND"),
                      promulgation_info=model.PromulgationInfo(promulgation_date=dt.date(2026, 11, 2)), subject="Thay thế",
                      bussiness=model.Bussiness(document_id=own_id, bussiness_doc_type=3, replacements=[
                          model.ReplacementInfo(document_id=original.edxml_document_id, organ_ids=[agency_b.code])]))
    data = xmldsig.sign_package(writer.write(edoc), credentials.held(signing_selectors.held_seal_certificate(agency_c)))
    intake = inbox.receive(data, agency=agency_b)
    assert intake.outcome == "refused" and "only its sender may replace it" in intake.reason
    original.refresh_from_db()
    assert original.state == "received"
