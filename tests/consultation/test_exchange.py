# ruff: noqa: F811
"""Invitations by exchange and answers that come back by it, on one instance through the local transport: agency A
invites B, the letter travels with the draft attached and the deadline, B's clerk registers it and B replies with a
Word file; A's clerk registers the reply, and A's staff enter it as B's answer, split into comments on the articles."""

import datetime as dt
import hashlib

import pytest
from django.utils import timezone

from tests.consultation.drafts import ANSWER, docx_bytes, upload
from tests.consultation.exchange_helpers import (  # noqa: F401  (fixtures, used as arguments: hence F811 below)
    _fast_passwords,
    clerk_b,
    invited_by_exchange,
    issue,
    pki,
    registered_answer,
    reply_from,
    seals,
)
from tests.factories import make_agency, make_person, make_unit
from vanphong.consultation import exchange_selectors, exchange_services, services
from vanphong.consultation.models import Answer, Comment, Invitation
from vanphong.core.errors import NotFound, PermissionDenied, ValidationError
from vanphong.core.models import AuditRecord
from vanphong.documents.attachments import store
from vanphong.exchange import cycle, replies
from vanphong.exchange import services as exchange
from vanphong.exchange.models import InboundPackage
from vanphong.pki import services as pki_services

pytestmark = pytest.mark.django_db


def test_an_agency_invited_by_exchange_answers_by_exchange_and_its_comments_land_on_the_articles(
        drafter, consultation, clerk_a, clerk_b, agency_a, agency_b, seals, deadline):
    [invitation] = services.invite(drafter, consultation, agencies=[agency_b])
    assert [i.pk for i in exchange_selectors.waiting_for_letter(consultation)] == [invitation.pk]
    [letter] = exchange_services.send_by_exchange(drafter, consultation)
    assert exchange_selectors.waiting_for_letter(consultation) == []
    invitation.refresh_from_db()
    assert invitation.exchange_document == letter and letter.status == "draft"
    assert letter.due_date == deadline and consultation.title in letter.subject
    assert [r.agency for r in letter.recipients.all()] == [agency_b]
    assert exchange_selectors.deliveries(consultation)[invitation.pk].state == "draft"

    letter = issue(clerk_a, letter)
    cycle.run_once()
    received = InboundPackage.objects.get(agency=agency_b)
    edoc = exchange.read_package(received).package
    assert edoc.due_date == deadline and consultation.title in edoc.subject
    assert [(a.attachment_name, hashlib.sha256(a.data).hexdigest()) for a in edoc.attachments] == [
        ("du-thao.docx", consultation.versions.get().sha256)]  # the draft itself
    assert exchange_selectors.deliveries(consultation)[invitation.pk].state == "01"

    reply = reply_from(clerk_b, agency_b)
    assert exchange_selectors.deliveries(consultation)[invitation.pk].state == "03"  # B registered the letter
    package = InboundPackage.objects.get(agency=agency_a)
    assert exchange.read_package(package).package.response_for.document_id == package_document_id(letter)
    assert package.subject == reply.subject
    incoming = registered_answer(clerk_a, agency_a)

    found = exchange_selectors.exchange_answer_for_staff(drafter, incoming)
    assert found.consultation == consultation and found.invitation == invitation and found.letter == letter
    assert [f.filename for f in found.files] == ["Góp ý dự thảo.docx"] and found.entered == []
    assert exchange_selectors.exchange_answer_for_staff(clerk_a, incoming) is None  # not the consultation's staff

    answer = exchange_services.enter_exchange_answer(drafter, incoming)
    assert answer.source == "exchange" and answer.received_on == timezone.localdate(package.received_at)
    placed = {c.reference: (c.node.full_label() if c.node else None) for c in Comment.objects.filter(answer=answer)}
    assert placed["Điều 3"] == "Điều 3" and placed["khoản 2 Điều 5"] == "Khoản 2 Điều 5"
    invitation.refresh_from_db()
    assert invitation.answered_at is not None and not invitation.late
    assert AuditRecord.objects.filter(action="consultation.answered", data__source="exchange").count() == 1
    assert AuditRecord.objects.filter(action="consultation.exchange_letter_drafted").count() == 1

    with pytest.raises(ValidationError, match="already entered"):
        exchange_services.enter_exchange_answer(drafter, incoming)
    assert Answer.objects.filter(invitation=invitation).count() == 1


def package_document_id(letter):
    from vanphong.exchange.packages import document_id_of

    return document_id_of(letter)


def test_a_reply_names_the_document_only_for_the_agency_that_sent_it(clerk_a, clerk_b, agency_a, agency_b, seals):
    from tests.exchange.helpers import issued_document
    from vanphong.exchange.models import OutboundMessage

    issued_document(clerk_a, [agency_b])
    cycle.run_once()
    incoming = exchange.register_received(clerk_b, InboundPackage.objects.get(agency=agency_b), doc_type="QĐ")
    with pytest.raises(ValidationError, match="subject"):
        replies.draft_reply(clerk_b, incoming, subject="  ")
    with pytest.raises(NotFound):
        replies.draft_reply(clerk_a, incoming, subject="Trả lời")  # another agency's document
    draft = replies.draft_reply(clerk_b, incoming, subject="Báo cáo kết quả")
    assert [r.agency for r in draft.recipients.all()] == [agency_a]
    message = OutboundMessage(document=draft, recipient=agency_a, sender=agency_b)
    assert replies.response_for(message).document_id == incoming.received_package.edxml_document_id
    assert replies.response_for(OutboundMessage(document=draft, recipient=agency_b, sender=agency_b)) is None
    assert AuditRecord.objects.filter(action="exchange.reply_drafted").count() == 1


def test_a_late_answer_is_entered_late_and_a_closed_consultation_takes_none(drafter, consultation, clerk_a, clerk_b, agency_a,
                                                                            agency_b, seals):
    invitation, _letter = invited_by_exchange(drafter, consultation, clerk_a, agency_b)
    reply_from(clerk_b, agency_b)
    incoming = registered_answer(clerk_a, agency_a)
    Invitation.objects.filter(pk=invitation.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))

    services.close_consultation(drafter, consultation)
    with pytest.raises(ValidationError, match="closed"):
        exchange_services.enter_exchange_answer(drafter, incoming)
    assert not Answer.objects.exists()

    type(consultation).objects.filter(pk=consultation.pk).update(status="open")
    answer = exchange_services.enter_exchange_answer(drafter, incoming)
    invitation.refresh_from_db()
    assert invitation.late and answer.comments.count() >= 4


def test_a_file_with_no_text_and_a_letter_without_file_are_refused_and_an_agreement_is_recorded(
        drafter, consultation, clerk_a, clerk_b, agency_a, agency_b, seals):
    invitation, _letter = invited_by_exchange(drafter, consultation, clerk_a, agency_b)
    reply_from(clerk_b, agency_b, data=docx_bytes(" "), name="Trống.docx")
    incoming = registered_answer(clerk_a, agency_a)
    with pytest.raises(ValidationError, match="No text could be read"):
        exchange_services.enter_exchange_answer(drafter, incoming)
    assert not Answer.objects.exists() and not Comment.objects.exists()
    invitation.refresh_from_db()
    assert invitation.answered_at is None

    answer = exchange_services.enter_exchange_answer(drafter, incoming, agreed=True)
    assert answer.agreed and answer.source == "exchange" and not answer.comments.exists()
    with pytest.raises(ValidationError, match="already entered"):
        exchange_services.enter_exchange_answer(drafter, incoming, agreed=True)


def test_an_answer_from_an_agency_not_invited_is_refused(drafter, consultation, clerk_a, agency_a, agency_b, seals, ca_operator):
    from vanphong.exchange.models import Reply

    agency_c = make_agency("000.00.00.H41", "Ủy ban nhân dân tỉnh Hà Tĩnh", "UBND Hà Tĩnh")
    pki_services.issue_with_held_key(ca_operator, profile="agency-seal", holder_agency=agency_c)
    clerk_c = make_person(agency_c, "vanthu.c", "Lê Văn Thư C", roles=["clerk"], unit=make_unit(agency_c, "Văn phòng", "VP"))
    _invitation, letter = invited_by_exchange(drafter, consultation, clerk_a, agency_b)
    # C answers A's letter (forwarded to it): its reply names the letter, but C was never invited.
    package_b = InboundPackage.objects.get(agency=agency_b)
    forwarded = InboundPackage.objects.create(
        agency=agency_c, sender=agency_a, sender_code=agency_a.code, sender_name=agency_a.name, edxml_document_id=package_b.edxml_document_id,
        sha256="c" * 64, size=package_b.size, payload_sha256=package_b.payload_sha256, subject=package_b.subject,
        code_number=package_b.code_number, code_notation=package_b.code_notation, promulgation_date=package_b.promulgation_date,
        verification=package_b.verification, state="received", transport="local")
    incoming_c = exchange.register_received(clerk_c, forwarded, doc_type="CV")
    reply = replies.draft_reply(clerk_c, incoming_c, subject="Góp ý", files=[store(upload(docx_bytes(ANSWER), "Góp ý.docx"))])
    assert Reply.objects.get(document=reply).answered == forwarded
    issue(clerk_c, reply)
    cycle.run_once()
    incoming = registered_answer(clerk_a, agency_a)
    found = exchange_selectors.exchange_answer_for_staff(drafter, incoming)
    assert found.consultation == consultation and found.invitation is None
    with pytest.raises(ValidationError, match="was not invited"):
        exchange_services.enter_exchange_answer(drafter, incoming)
    assert not Answer.objects.exists()


def test_only_the_consultation_staff_enter_an_answer_and_only_reachable_agencies_get_a_letter(
        drafter, consultation, clerk_a, clerk_b, agency_a, agency_b, seals, organiser):
    outside = make_agency("000.00.00.H99", "Sở Ngoại Vi", "SNV")
    outside.hosted = False
    outside.save(update_fields=["hosted"])
    services.invite(drafter, consultation, agencies=[outside])
    with pytest.raises(ValidationError, match="No invited agency"):
        exchange_services.send_by_exchange(drafter, consultation)
    with pytest.raises(PermissionDenied):
        exchange_services.send_by_exchange(organiser, consultation)

    invitation, _letter = invited_by_exchange(drafter, consultation, clerk_a, agency_b)
    reply_from(clerk_b, agency_b)
    incoming = registered_answer(clerk_a, agency_a)
    with pytest.raises(PermissionDenied):
        exchange_services.enter_exchange_answer(organiser, incoming)
    with pytest.raises(ValidationError, match="does not answer"):
        exchange_services.enter_exchange_answer(drafter, _letter)
    assert not Answer.objects.exists()
