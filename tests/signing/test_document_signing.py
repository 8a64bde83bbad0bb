"""Signing from the document's page: the named official signs the draft's main file, the clerk
numbers it and applies the seal with the number and date; electronic drafts need the signature
to be numbered; verification reports per PDF attachment; every refusal changes nothing."""

import io

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pyhanko.pdf_utils.reader import PdfFileReader

from tests.conftest import signed_in
from tests.factories import make_agency, make_person
from tests.signing.conftest import make_pdf, tamper
from vanphong.core import storage
from vanphong.core.audit import AuditRecord
from vanphong.core.errors import PermissionDenied, ValidationError
from vanphong.documents import hooks
from vanphong.documents import services as documents
from vanphong.documents.attachments import store
from vanphong.documents.models import Attachment, Document
from vanphong.pki import services as pki_services
from vanphong.signing import document_services, number_fields, verification
from vanphong.signing.models import AttachmentVerification, DocumentSignature, PaperOriginal

pytestmark = pytest.mark.django_db


def upload(data: bytes, name: str = "Quyết định.pdf"):
    return store(SimpleUploadedFile(name, data))


def draft_of(person, signer, files=()):
    return documents.create_outgoing_draft(person, doc_type="QĐ", subject="Quyết định về việc thử nghiệm ký số",
                                           signer_name=signer.full_name if signer else "", signer_position="Phó Chánh Văn phòng",
                                           files=list(files))


@pytest.fixture
def draft(official, clerk_a):
    return draft_of(clerk_a, official, [upload(make_pdf(2))])


def test_official_signs_clerk_numbers_and_seals_and_both_signatures_stay_valid(draft, official, official_cert, seal_cert, clerk_a):
    original = draft.attachments.get()
    with pytest.raises(ValidationError, match="must carry the official's valid digital signature"):
        documents.issue_outgoing(clerk_a, draft)
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.number is None

    signing = document_services.sign_document(official, draft)
    assert (signing.kind, signing.level, signing.source, signing.certificate) == ("official", "B-T", original, official_cert)
    assert signing.result.filename == "Quyết định-signed.pdf" and storage.exists(original.sha256)  # the original is kept
    assert document_services.main_file(draft) == signing.result

    issued = documents.issue_outgoing(clerk_a, draft)
    sealing = document_services.seal_document(clerk_a, issued)
    sealed = storage.read_bytes(sealing.result.sha256)
    report = verification.verify_pdf(sealed)
    assert report.valid and [s.field_name for s in report.signatures] == ["Official-1", "Seal-1"]
    date = document_services.issue_date_text(issued.issued_date)
    assert number_fields.filled_values(PdfFileReader(io.BytesIO(sealed))) == {"Number": issued.reference, "IssuedDate": date}
    assert list(draft.attachments.order_by("pk")) == [original, signing.result, sealing.result]
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"signing.document.signed", "signing.document.sealed", "signing.pdf_signed"} <= actions
    with pytest.raises(ValidationError, match="already"):
        document_services.seal_document(clerk_a, issued)


def test_the_main_file_is_the_one_the_hooks_name(draft, clerk_a, official, official_cert, monkeypatch):
    first = draft.attachments.get()
    revised = documents.attach_files(clerk_a, draft, [upload(make_pdf(1, "Bản sửa đổi"), "Bản sửa.pdf")])[0]
    assert document_services.main_file(draft) == first
    monkeypatch.setattr(hooks, "main_file_finders", [lambda document: revised])
    assert document_services.sign_document(official, draft).source == revised


def test_issue_date_follows_decree_30():
    import datetime as dt

    assert document_services.issue_date_text(dt.date(2026, 2, 5)) == "ngày 05 tháng 02 năm 2026"
    assert document_services.issue_date_text(dt.date(2026, 11, 29)) == "ngày 29 tháng 11 năm 2026"
    assert document_services.issue_date_text(dt.date(2026, 3, 15)) == "ngày 15 tháng 3 năm 2026"


def _nothing_changed(draft, files=1):
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.attachments.count() == files and not DocumentSignature.objects.exists()


def test_only_the_named_signer_signs(draft, agency_a, official_cert, ca_operator):
    other = make_person(agency_a, "lanhdao.khac", "Trần Văn Khác", roles=["leader"])
    pki_services.issue_with_held_key(ca_operator, profile="official", holder_person=other)
    with pytest.raises(PermissionDenied, match="only that official may sign it"):
        document_services.sign_document(other, draft)
    _nothing_changed(draft)


def test_refusals_change_nothing(official, official_cert, clerk_a, monkeypatch):
    no_file = draft_of(clerk_a, official)
    with pytest.raises(ValidationError, match="no main file"):
        document_services.sign_document(official, no_file)
    _nothing_changed(no_file, files=0)

    no_signer = draft_of(clerk_a, None, [upload(make_pdf())])
    with pytest.raises(ValidationError, match="names no signer"):
        document_services.sign_document(official, no_signer)
    _nothing_changed(no_signer)

    # A PDF that opens without a password but is encrypted (an owner password) cannot be signed.
    buffer = io.BytesIO()
    with pikepdf.open(io.BytesIO(make_pdf())) as pdf:
        pdf.save(buffer, encryption=pikepdf.Encryption(owner="chủ", user="", R=6))
    encrypted = draft_of(clerk_a, official, [upload(buffer.getvalue())])
    with pytest.raises(ValidationError, match="encrypted"):
        document_services.sign_document(official, encrypted)
    _nothing_changed(encrypted)

    def not_yet(actor, document):
        raise ValidationError("The approval chain has not reached the signing leader yet.")

    monkeypatch.setattr(hooks, "sign_checks", [not_yet])
    waiting = draft_of(clerk_a, official, [upload(make_pdf())])
    with pytest.raises(ValidationError, match="approval chain"):
        document_services.sign_document(official, waiting)
    _nothing_changed(waiting)


def test_a_revoked_or_missing_certificate_cannot_sign_but_what_it_signed_before_stays_valid(official, official_cert, clerk_a, ca_operator):
    import datetime as dt
    from unittest import mock

    from django.utils import timezone

    before = draft_of(clerk_a, official, [upload(make_pdf())])
    # Revocation times have whole seconds: the time-stamp is a minute earlier (tests/signing/test_verification.py).
    with mock.patch("vanphong.pki.tsa.timezone.now", return_value=timezone.now() - dt.timedelta(minutes=1)):
        signed = document_services.sign_document(official, before)
    pki_services.revoke(ca_operator, official_cert, reason="keyCompromise")
    report = verification.verify_pdf(storage.read_bytes(signed.result.sha256))
    assert report.valid and report.signatures[0].revocation == "revoked_later", report.signatures[0]

    after = draft_of(clerk_a, official, [upload(make_pdf())])
    with pytest.raises(ValidationError, match="Your signing certificate was revoked on"):
        document_services.sign_document(official, after)
    after.refresh_from_db()
    assert after.attachments.count() == 1 and not DocumentSignature.objects.filter(document=after).exists()


def test_an_expired_certificate_is_named_as_the_reason(official, official_cert, clerk_a):
    import datetime as dt

    from django.utils import timezone

    type(official_cert).objects.filter(pk=official_cert.pk).update(not_after=timezone.now() - dt.timedelta(days=1))
    draft = draft_of(clerk_a, official, [upload(make_pdf())])
    with pytest.raises(ValidationError, match="Your signing certificate expired on"):
        document_services.sign_document(official, draft)
    _nothing_changed(draft)


def test_paper_signed_drafts_and_drafts_without_files_are_issued_without_a_digital_signature(draft, clerk_a, official):
    with pytest.raises(PermissionDenied):
        document_services.mark_signed_on_paper(official, draft)  # a clerk records it
    document_services.mark_signed_on_paper(clerk_a, draft)
    assert documents.issue_outgoing(clerk_a, draft).status == "issued"
    assert PaperOriginal.objects.filter(document=draft).exists()
    assert documents.issue_outgoing(clerk_a, draft_of(clerk_a, official)).status == "issued"


def test_a_word_draft_is_converted_to_pdf_then_signed(official, official_cert, clerk_a):
    import docx

    word = docx.Document()
    word.add_paragraph("Số:      /QĐ-TU")
    word.add_paragraph("Bắc Ninh, ngày      tháng      năm 2026")
    word.add_paragraph("QUYẾT ĐỊNH về việc thử nghiệm chuyển đổi và ký số")
    buffer = io.BytesIO()
    word.save(buffer)
    draft = draft_of(clerk_a, official, [upload(buffer.getvalue(), "Quyết định.docx")])
    signing = document_services.sign_document(official, draft, level="B-LT")
    assert signing.converted_from == "docx" and signing.result.content_type == "application/pdf"
    report = verification.verify_pdf(storage.read_bytes(signing.result.sha256))
    assert report.valid and report.signatures[0].level == "B-LT"
    assert "thử nghiệm chuyển đổi" in signing.result.text


def test_a_conversion_that_hangs_is_stopped(monkeypatch, settings, tmp_path):
    from vanphong.signing import conversion

    slow = tmp_path / "soffice"
    slow.write_text("#!/bin/sh\nsleep 30\n")
    slow.chmod(0o755)
    monkeypatch.setattr(conversion, "soffice", lambda: str(slow))
    settings.VANPHONG_CONVERT_TIMEOUT_SECONDS = 1
    with pytest.raises(ValidationError, match="took longer than 1 seconds"):
        conversion.docx_to_pdf(b"PK\x03\x04")


def test_verification_reports_per_attachment_in_both_languages(official, official_cert, clerk_a, django_capture_on_commit_callbacks):
    signed = document_services.sign_document(official, draft_of(clerk_a, official, [upload(make_pdf())]))
    unsigned = documents.register_incoming(clerk_a, doc_type="CV", subject="Không ký", issuing_agency_name="Sở X",
                                           files=[upload(make_pdf(3), "khong-ky.pdf")])
    changed_file = tamper(storage.read_bytes(signed.result.sha256))
    with django_capture_on_commit_callbacks(execute=True):
        changed = documents.register_incoming(clerk_a, doc_type="CV", subject="Bị sửa", issuing_agency_name="Sở Y",
                                              files=[upload(changed_file, "bi-sua.pdf")])
    row = AttachmentVerification.objects.get(attachment__document=changed)
    assert row.status == "pending"  # queued when stored, for the worker
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.filter(task_path="vanphong.signing.tasks.verify_attachment").exists()

    document_services.run_verification(signed.result.pk)
    document_services.run_verification(unsigned.attachments.get().pk)
    document_services.run_verification(row.attachment_id)
    good = AttachmentVerification.objects.get(attachment=signed.result)
    assert good.valid and good.signed and good.report["en"]["signatures"][0]["signer_name"] == official.full_name
    assert good.report["vi"]["signatures"][0]["changes_after"] != good.report["en"]["signatures"][0]["changes_after"]
    plain = AttachmentVerification.objects.get(attachment__document=unsigned)
    assert (plain.status, plain.signed, plain.valid) == ("done", False, False)
    bad = AttachmentVerification.objects.get(pk=row.pk)
    assert bad.signed and not bad.valid and not bad.report["en"]["signatures"][0]["intact"]


def test_the_page_shows_the_panels_and_verify_again_is_for_readers_only(client, draft, official, official_cert, clerk_a):
    signing = document_services.sign_document(official, draft)
    document_services.run_verification(signing.result.pk)
    signed_in(client, clerk_a)
    page = client.get(f"/documents/{draft.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Digital signature" in page and "1 valid signature" in page and "Mark as signed on paper" not in page
    response = client.post(f"/signing/attachments/{signing.result.pk}/verify/")
    assert response.status_code == 302 and AttachmentVerification.objects.get(attachment=signing.result).status == "pending"

    agency_b = make_agency("000.00.00.H41", "Sở Khác", "SK")
    outsider = make_person(agency_b, "vt.khac", "Văn Thư Khác", roles=["clerk"], clearance=3)
    signed_in(client, outsider)
    for url in [f"/signing/attachments/{signing.result.pk}/verify/", f"/signing/documents/{draft.pk}/sign/",
                f"/signing/documents/{draft.pk}/seal/", f"/signing/documents/{draft.pk}/paper/"]:
        assert client.post(url).status_code == 404, url
    assert not PaperOriginal.objects.exists() and Attachment.objects.filter(document=draft).count() == 2


def test_sign_and_seal_pages_show_refusals(client, draft, official, official_cert, clerk_a):
    signed_in(client, clerk_a)
    response = client.post(f"/signing/documents/{draft.pk}/sign/", follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "only that official may sign it" in response.content.decode()
    signed_in(client, official)
    response = client.post(f"/signing/documents/{draft.pk}/sign/", {"level": "B-X"}, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "Choose the level B-T, B-LT or B-LTA." in response.content.decode()
    assert not DocumentSignature.objects.exists() and Document.objects.get(pk=draft.pk).status == "draft"
