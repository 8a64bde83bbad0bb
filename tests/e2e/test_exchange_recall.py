"""Recall across two agencies hosted on one instance, in the browser (English interface): agency A
issued a document that B registered; A's clerk recalls it from the document's page with a reason;
the worker delivers the recall and B answers 13; B's clerk finds the recall request among the
received packages, reads the reason and accepts it; B's document says it is withdrawn; A's page
shows, on the recall's line for B, 13 (recall requested) and 15 (accepted)."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in
from tests.e2e.test_workflow_assignment import in_english, sign_in_en, sign_out
from tests.exchange.conftest import seals  # noqa: F401  (seal certificates of A and B)
from tests.exchange.helpers import issued_document
from tests.factories import PASSWORD, make_person
from tests.signing.conftest import pki  # noqa: F401
from vanphong.exchange import services, tasks
from vanphong.exchange.models import InboundPackage


@pytest.mark.django_db(transaction=True)
def test_a_recalls_a_document_b_registered_b_accepts_and_a_sees_13_and_15(page, agency_a, agency_b, seals):  # noqa: F811
    clerk_a = make_person(agency_a, "vanthu.th.a", "Nguyễn Thị Văn", roles=["clerk"])
    clerk_b = make_person(agency_b, "vanthu.th.b", "Hoàng Thị Thư", roles=["clerk"])
    document = issued_document(clerk_a, [agency_b], subject="Kế hoạch kiểm tra công tác văn thư năm 2027")
    tasks.exchange_round.call()
    incoming = services.register_received(clerk_b, InboundPackage.objects.get(agency=agency_b), doc_type="KH")
    tasks.exchange_round.call()  # 03 back to A

    # A's clerk recalls it from the document's page.
    sign_in(page, "vanthu.th.a", PASSWORD)
    in_english(page)
    page.goto(f"/documents/{document.pk}/")
    panel = page.get_by_role("region", name="Sent through the exchange")
    panel.get_by_text("Recall this document").click()
    panel.get_by_label("Reason for the recall (sent to the recipients)").fill("Văn bản ban hành nhầm đối tượng, sẽ ban hành lại")
    screenshot(page, "exchange-recall-form-en")
    panel.get_by_role("button", name="Send the recall").click()
    page.wait_for_url(f"**/documents/{document.pk}/**")
    assert "The recall goes to Ủy ban nhân dân tỉnh Nghệ An" in page.get_by_role("status").inner_text()
    recall_row = page.get_by_role("region", name="Sent through the exchange").get_by_role("row").filter(has_text="Recall")
    expect(recall_row.get_by_text("Waiting to be sent")).to_be_visible()
    sign_out(page)

    # The worker delivers the recall; B's inbox links it to the package and answers 13.
    tasks.exchange_round.call()

    # B's clerk accepts the recall.
    sign_in_en(page, "vanthu.th.b")
    page.goto("/exchange/received/")
    row = page.get_by_role("row").filter(has_text="Recall request")
    expect(row.get_by_text("Kế hoạch kiểm tra công tác văn thư năm 2027")).to_be_visible()
    screenshot(page, "exchange-recall-list-en")
    row.get_by_role("link", name="Kế hoạch kiểm tra công tác văn thư năm 2027").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Recall request")
    request_panel = page.get_by_role("region", name="The sender recalls a document it sent you")
    expect(request_panel.get_by_text("Văn bản ban hành nhầm đối tượng, sẽ ban hành lại")).to_be_visible()
    expect(request_panel.get_by_role("link", name=f"arrival no. {incoming.number}")).to_be_visible()
    screenshot(page, "exchange-recall-request-en")
    page.get_by_role("button", name="Accept the recall").click()
    assert "Recall accepted" in page.get_by_role("status").inner_text()
    expect(page.get_by_text("Request accepted").first).to_be_visible()
    screenshot(page, "exchange-recall-accepted-en")
    page.goto(f"/documents/{incoming.pk}/")
    notice = page.get_by_role("region", name="Recalled by the sender")
    expect(notice.get_by_text("Văn bản ban hành nhầm đối tượng, sẽ ban hành lại")).to_be_visible()
    screenshot(page, "exchange-recalled-document-en")
    sign_out(page)

    # The worker brings 15 back; A's page shows the recall's answers for B.
    tasks.exchange_round.call()
    sign_in_en(page, "vanthu.th.a")
    page.goto(f"/documents/{document.pk}/")
    panel = page.get_by_role("region", name="Sent through the exchange")
    recall_row = panel.get_by_role("row").filter(has_text="Recall")
    for code, label in (("13", "Recall requested"), ("15", "Recall or update accepted")):
        expect(recall_row.get_by_text(code, exact=True), code).to_be_visible()
        expect(recall_row.get_by_text(label), code).to_be_visible()
    assert panel.get_by_text("Recall this document").count() == 0  # nothing left to recall
    screenshot(page, "exchange-recall-timeline-en")


@pytest.mark.django_db(transaction=True)
def test_a_corrects_then_replaces_a_document_and_b_accepts_both(page, agency_a, agency_b, seals):  # noqa: F811
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.signing.conftest import make_pdf
    from vanphong.documents import services as documents
    from vanphong.documents.attachments import store
    from vanphong.signing import document_services

    clerk_a = make_person(agency_a, "vanthu.dc.a", "Nguyễn Thị Văn", roles=["clerk"])
    clerk_b = make_person(agency_b, "vanthu.dc.b", "Hoàng Thị Thư", roles=["clerk"])
    document = issued_document(clerk_a, [agency_b], subject="Kế hoạch kiểm tra công tác văn thư năm 2027")
    tasks.exchange_round.call()
    incoming = services.register_received(clerk_b, InboundPackage.objects.get(agency=agency_b), doc_type="KH")

    # A's clerk corrects the signer's name and the due date, and sends the update.
    sign_in(page, "vanthu.dc.a", PASSWORD)
    in_english(page)
    page.goto(f"/documents/{document.pk}/")
    panel = page.get_by_role("region", name="Sent through the exchange")
    panel.get_by_text("Correct this document and send an update").click()
    panel.get_by_label("Signer", exact=True).fill("Trần Văn Ký")
    panel.get_by_label("Due date").fill("15/01/2027")
    panel.get_by_label("Reason for the correction (sent to the recipients)").fill("Đính chính tên người ký và hạn xử lý")
    screenshot(page, "exchange-update-form-en")
    panel.get_by_role("button", name="Correct and send the update").click()
    assert "the update goes to Ủy ban nhân dân tỉnh Nghệ An" in page.get_by_role("status").inner_text()
    sign_out(page)
    tasks.exchange_round.call()

    # B's clerk sees what changes and accepts.
    sign_in_en(page, "vanthu.dc.b")
    page.goto("/exchange/received/")
    page.get_by_role("row").filter(has_text="Update request").get_by_role("link").click()
    changes = page.get_by_role("region", name="The sender corrects a document it sent you")
    row = changes.get_by_role("row").filter(has_text="Due date")
    expect(row.get_by_text("15/01/2027")).to_be_visible()
    expect(changes.get_by_role("row").filter(has_text="Nguyễn Văn Ký").get_by_text("Trần Văn Ký")).to_be_visible()
    screenshot(page, "exchange-update-request-en")
    page.get_by_role("button", name="Accept the update").click()
    assert "Update accepted" in page.get_by_role("status").inner_text()
    page.goto(f"/documents/{incoming.pk}/")
    expect(page.get_by_role("region", name="Corrected by the sender").get_by_text("Trần Văn Ký")).to_be_visible()
    screenshot(page, "exchange-corrected-document-en")
    sign_out(page)
    tasks.exchange_round.call()

    # A's clerk then replaces the document: a draft with the same recipients, completed and issued.
    sign_in_en(page, "vanthu.dc.a")
    page.goto(f"/documents/{document.pk}/")
    panel = page.get_by_role("region", name="Sent through the exchange")
    expect(panel.get_by_role("row").filter(has_text="Update").get_by_text("15", exact=True)).to_be_visible()
    panel.get_by_text("Replace this document by a new one").click()
    panel.get_by_label("Reason for the replacement (sent to the recipients)").fill("Bổ sung nội dung điều 2")
    panel.get_by_role("button", name="Draft the replacement").click()
    assert "The replacement is drafted" in page.get_by_role("status").inner_text()
    screenshot(page, "exchange-replacement-draft-en")
    draft = document.replacements.get().document
    documents.attach_files(clerk_a, draft, [store(SimpleUploadedFile("Kế hoạch (thay thế).pdf", make_pdf(1, "Thay thế")))])
    document_services.mark_signed_on_paper(clerk_a, draft)
    documents.issue_outgoing(clerk_a, draft)
    sign_out(page)
    tasks.exchange_round.call()

    # B's clerk accepts the replacement and registers the new document.
    sign_in_en(page, "vanthu.dc.b")
    page.goto("/exchange/received/")
    page.get_by_role("row").filter(has_text="Kế hoạch kiểm tra").filter(has_not_text="Update request").get_by_role("link").first.click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Replacement request")
    screenshot(page, "exchange-replacement-request-en")
    page.get_by_role("button", name="Accept the replacement").click()
    assert "Replacement accepted" in page.get_by_role("status").inner_text()
    page.get_by_role("button", name="Register", exact=True).click()
    page.wait_for_url("**/documents/*/")
    page.goto(f"/documents/{incoming.pk}/")
    expect(page.get_by_role("region", name="Replaced by the sender")).to_be_visible()
    screenshot(page, "exchange-replaced-document-en")
    sign_out(page)
    tasks.exchange_round.call()
    sign_in_en(page, "vanthu.dc.a")
    page.goto(f"/documents/{draft.pk}/")
    row = page.get_by_role("region", name="Sent through the exchange").get_by_role("row").filter(has_text="Replacement")
    for code in ("01", "03", "15"):
        expect(row.get_by_text(code, exact=True), code).to_be_visible()
    screenshot(page, "exchange-replacement-timeline-en")
