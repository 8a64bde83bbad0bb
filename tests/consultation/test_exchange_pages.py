# ruff: noqa: F811
"""The pages of invitations by exchange: the invitations list sends the letter and shows where it is; an incoming
document that answers it offers its consultation's staff to enter it; the received document offers its reader a reply
by exchange. Another agency, or someone who is not the consultation's staff, reaches none of it (404) and changes nothing."""

import pytest
from django.urls import reverse

from tests.conftest import signed_in
from tests.consultation.drafts import ANSWER, docx_bytes, upload
from tests.consultation.exchange_helpers import (  # noqa: F401  (fixtures)
    _fast_passwords,
    clerk_b,
    invited_by_exchange,
    issue,
    pki,
    registered_answer,
    reply_from,
    seals,
)
from vanphong.consultation import services
from vanphong.consultation.models import Answer, Comment, Invitation
from vanphong.core.models import AuditRecord
from vanphong.documents.models import Document
from vanphong.exchange import services as exchange
from vanphong.exchange.models import InboundPackage, Reply

pytestmark = pytest.mark.django_db


def test_the_staff_send_the_invitation_by_exchange_and_see_where_it_is(client, drafter, consultation, agency_b, organiser, admin_b,
                                                                       clerk_a, seals):
    [invitation] = services.invite(drafter, consultation, agencies=[agency_b])
    url = reverse("consultation:send_by_exchange", args=[consultation.pk])
    for outsider in (organiser, admin_b):  # not the consultation's staff; another agency
        assert signed_in(client, outsider).post(url).status_code == 404
    assert not Document.objects.filter(direction="out").exists()

    page = signed_in(client, drafter).get(reverse("consultation:detail", args=[consultation.pk])).content.decode()
    assert "Send the invitation by exchange to 1 agency" in page and "Not sent by exchange" in page
    response = client.post(url)
    letter = Document.objects.get(direction="out")
    assert response.status_code == 302 and response["Location"] == reverse("documents:detail", args=[letter.pk])
    invitation.refresh_from_db()
    assert invitation.exchange_document == letter

    page = client.get(reverse("consultation:detail", args=[consultation.pk])).content.decode()
    assert "Send the invitation by exchange" not in page
    assert "By exchange:" in page and "Letter drafted: to be signed and issued" in page and "Not sent by exchange" not in page
    response = client.post(url, follow=True)  # nobody waits for a letter any more
    assert "No invited agency is waiting for a letter" in response.content.decode()
    assert Document.objects.filter(direction="out").count() == 1

    issue(clerk_a, letter)
    from vanphong.exchange import cycle

    cycle.run_once()
    page = client.get(reverse("consultation:detail", args=[consultation.pk])).content.decode()
    assert "Arrived" in page


def test_the_staff_enter_an_answer_from_the_incoming_documents_page(client, drafter, consultation, clerk_a, clerk_b, agency_a,
                                                                    agency_b, organiser, admin_b, seals):
    invitation, _letter = invited_by_exchange(drafter, consultation, clerk_a, agency_b)
    reply_from(clerk_b, agency_b)
    incoming = registered_answer(clerk_a, agency_a)
    page_url = reverse("documents:detail", args=[incoming.pk])
    enter_url = reverse("consultation:exchange_answer", args=[incoming.pk])

    # The clerk who registered it reads the document but is not the consultation's staff: no panel, no action.
    assert "Enter as the agency" not in signed_in(client, clerk_a).get(page_url).content.decode()
    for outsider in (clerk_a, organiser, admin_b):
        assert signed_in(client, outsider).post(enter_url).status_code == 404
    assert not Answer.objects.exists()

    page = signed_in(client, drafter).get(page_url).content.decode()
    assert "Answer to a consultation on a draft" in page and consultation.title in page and "Enter as the agency" in page
    assert "Góp ý dự thảo.docx" in page
    response = client.post(enter_url, {"attachment": "999999"})  # not a file of this document
    assert response.status_code == 302 and not Answer.objects.exists()
    response = client.post(enter_url, {"attachment": str(incoming.attachments.get().pk)})
    assert response.status_code == 302
    assert response["Location"] == reverse("consultation:detail", args=[consultation.pk]) + f"?invitation={invitation.pk}#comments"
    answer = Answer.objects.get()
    assert answer.source == "exchange" and Comment.objects.filter(answer=answer, node__label="Điều 3").exists()

    page = client.get(page_url).content.decode()
    assert "Entered on" in page and "Enter as the agency" not in page
    response = client.post(enter_url, {"attachment": str(incoming.attachments.get().pk)}, follow=True)
    assert "already entered" in response.content.decode() and Answer.objects.count() == 1
    assert Invitation.objects.get(pk=invitation.pk).answered_at is not None


def test_the_reader_of_a_received_document_drafts_the_reply_and_others_cannot(client, clerk_a, clerk_b, agency_a, agency_b,
                                                                               drafter, consultation, seals):
    invited_by_exchange(drafter, consultation, clerk_a, agency_b)
    incoming = exchange.register_received(clerk_b, InboundPackage.objects.get(agency=agency_b), doc_type="CV")
    url = reverse("exchange:reply", args=[incoming.pk])
    assert signed_in(client, clerk_a).post(url, {"subject": "x", "doc_type": "CV"}).status_code == 404  # another agency
    assert "Reply through the exchange" not in client.get(reverse("documents:detail", args=[incoming.pk])).content.decode()

    page = signed_in(client, clerk_b).get(reverse("documents:detail", args=[incoming.pk])).content.decode()
    assert "Reply through the exchange" in page and "Draft a reply to" in page
    response = client.post(url, {"subject": "  ", "doc_type": "CV"}, follow=True)
    assert "This field is required." in response.content.decode()
    assert not Reply.objects.exists()

    response = client.post(url, {"subject": "Góp ý dự thảo", "doc_type": "CV", "file": upload(docx_bytes(ANSWER), "Góp ý.docx")})
    reply = Reply.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("documents:detail", args=[reply.document.pk])
    assert [r.agency for r in reply.document.recipients.all()] == [agency_a]
    assert [a.filename for a in reply.document.attachments.all()] == ["Góp ý.docx"]
    assert AuditRecord.objects.filter(action="exchange.reply_drafted").count() == 1
    page = client.get(reverse("documents:detail", args=[incoming.pk])).content.decode()
    assert "Góp ý dự thảo" in page
