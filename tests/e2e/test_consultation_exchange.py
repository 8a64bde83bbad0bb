"""A consultation's invitation by exchange and its answer back, in the browser (English interface): the drafting
office sends the invitation letter to agency B from the invitations list and follows it there; B's clerk replies from
the received document with a Word file naming the articles; once A's clerk registered the reply, the drafting office
enters it from the incoming document's page and finds B's comments on the articles."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.consultation.drafts import ANSWER, DRAFT, docx_bytes, upload
from tests.e2e.conftest import screenshot, sign_in
from tests.e2e.test_workflow_assignment import in_english, sign_in_en, sign_out
from tests.exchange.conftest import seals  # noqa: F401  (seal certificates of A and B)
from tests.factories import PASSWORD, make_person, make_unit
from tests.signing.conftest import pki  # noqa: F401
from vanphong.consultation import services
from vanphong.consultation.models import Comment, Invitation
from vanphong.documents import services as documents
from vanphong.documents.models import Document
from vanphong.exchange import services as exchange
from vanphong.exchange import tasks
from vanphong.exchange.models import InboundPackage
from vanphong.signing import document_services


def issue(clerk, draft):
    document_services.mark_signed_on_paper(clerk, draft)
    return documents.issue_outgoing(clerk, draft)


@pytest.mark.django_db(transaction=True)
def test_an_invitation_goes_by_exchange_and_the_answer_comes_back_onto_the_articles(page, agency_a, agency_b, seals, tmp_path):  # noqa: F811
    office_a = make_unit(agency_a, "Văn phòng Tỉnh ủy", "VP")
    drafter = make_person(agency_a, "soanthao.lt", "Phạm Văn Soạn", roles=["specialist"], unit=office_a)
    clerk_a = make_person(agency_a, "vanthu.lt.a", "Nguyễn Thị Văn", roles=["clerk"], unit=office_a)
    clerk_b = make_person(agency_b, "vanthu.lt.b", "Hoàng Thị Thư", roles=["clerk"], unit=make_unit(agency_b, "Văn phòng", "VP"))
    consultation = services.start_consultation(drafter, title="Dự thảo Nghị quyết về văn bản điện tử",
                                               deadline=timezone.localdate() + dt.timedelta(days=10),
                                               upload=upload(docx_bytes(DRAFT), "du-thao.docx"))
    [invitation] = services.invite(drafter, consultation, agencies=[agency_b])

    # The drafting office sends the invitation letter from the invitations list.
    sign_in(page, "soanthao.lt", PASSWORD)
    in_english(page)
    page.goto(f"/consultation/{consultation.pk}/")
    invitations = page.get_by_role("region", name="Who was invited")
    expect(invitations.get_by_text("Not sent by exchange")).to_be_visible()
    invitations.get_by_role("button", name="Send the invitation by exchange to 1 agency").click()
    page.wait_for_url("**/documents/*/")
    expect(page.get_by_role("status")).to_contain_text("The invitation letter is drafted")
    letter = Document.objects.get(direction="out")
    issue(clerk_a, letter)
    tasks.exchange_round.call()  # delivered to B, 01 back
    tasks.exchange_round.call()
    page.goto(f"/consultation/{consultation.pk}/#invitations")
    row = invitations.get_by_role("row").filter(has_text=agency_b.name)
    expect(row.get_by_text("Arrived")).to_be_visible()
    screenshot(page, "consultation-exchange-invitations-en")
    sign_out(page)

    # B's clerk registers the letter, and replies from its page with the answer's Word file.
    incoming_b = exchange.register_received(clerk_b, InboundPackage.objects.get(agency=agency_b), doc_type="CV")
    answer_file = tmp_path / "Góp ý dự thảo.docx"
    answer_file.write_bytes(docx_bytes(ANSWER))
    sign_in_en(page, "vanthu.lt.b")
    page.goto(f"/documents/{incoming_b.pk}/")
    reply_panel = page.get_by_role("region", name="Reply through the exchange")
    reply_panel.get_by_text(f"Draft a reply to {agency_a.name}").click()
    expect(reply_panel.get_by_label("Subject")).to_have_value(f"Reply to {incoming_b.reference}: {incoming_b.subject}")
    reply_panel.get_by_label("Its file (Word or PDF)").set_input_files(str(answer_file))
    screenshot(page, "consultation-exchange-reply-en")
    reply_panel.get_by_role("button", name="Draft the reply").click()
    page.wait_for_url("**/documents/*/")
    reply = Document.objects.get(agency=agency_b, direction="out")
    issue(clerk_b, reply)
    tasks.exchange_round.call()
    sign_out(page)

    # A's clerk registers the reply; the drafting office enters it as B's answer from its page.
    incoming_a = exchange.register_received(clerk_a, InboundPackage.objects.get(agency=agency_a), doc_type="CV")
    sign_in_en(page, "soanthao.lt")
    page.goto(f"/documents/{incoming_a.pk}/")
    panel = page.get_by_role("region", name="Answer to a consultation on a draft")
    expect(panel.get_by_role("link", name=consultation.title)).to_be_visible()
    expect(panel.get_by_label("Góp ý dự thảo.docx")).to_be_checked()
    screenshot(page, "consultation-exchange-answer-panel-en")
    panel.get_by_role("button", name="Enter as the agency's answer").click()
    page.wait_for_url(f"**/consultation/{consultation.pk}/**")
    expect(page.locator("ul.messages")).to_contain_text("comments, each placed on the article it names")
    expect(page.locator(".unit[data-key='article:3']").get_by_text("Đề nghị quy định rõ thời hạn tiếp nhận")).to_be_visible()
    screenshot(page, "consultation-exchange-entered-en")
    assert Comment.objects.filter(invitation=invitation, answer__source="exchange").count() >= 4
    assert Invitation.objects.get(pk=invitation.pk).answered_at is not None
