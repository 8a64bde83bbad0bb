"""The exchange between two agencies hosted on one instance, in the browser (English interface):
agency A's clerk issues a document to agency B, the worker delivers it, B's clerk finds it among
the received packages, opens it and registers it, the worker brings the receipts back, and A's
document page shows, for B, 01 (arrived) and 03 (registered); once B's leader has assigned it and
the specialist completed it (the workflow's own pages are tested elsewhere), 04, 05 and 06."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in
from tests.e2e.test_workflow_assignment import in_english, nav_link, sign_in_en, sign_out
from tests.exchange.conftest import seals  # noqa: F401  (seal certificates of A and B)
from tests.factories import PASSWORD, make_person, make_unit
from tests.signing.conftest import pki  # noqa: F401
from vanphong.core import storage
from vanphong.documents import services as documents
from vanphong.documents.models import Document
from vanphong.exchange import inbox, tasks
from vanphong.exchange.models import OutboundMessage
from vanphong.signing import document_services
from vanphong.workflow import handling


@pytest.mark.django_db(transaction=True)
def test_a_document_goes_from_agency_a_to_agency_b_and_the_receipts_come_back(page, agency_a, agency_b, seals):  # noqa: F811
    office_a = make_unit(agency_a, "Văn phòng Tỉnh ủy", "VP")
    clerk_a = make_person(agency_a, "vanthu.lt.a", "Nguyễn Thị Văn", roles=["clerk"], unit=office_a)
    make_person(agency_b, "vanthu.lt.b", "Hoàng Thị Thư", roles=["clerk"])
    draft = documents.create_outgoing_draft(clerk_a, doc_type="KH", subject="Kế hoạch triển khai liên thông văn bản điện tử năm 2027",
                                            signer_name="Nguyễn Văn Ký", signer_position="Phó Bí thư", recipient_agencies=[agency_b])
    document_services.mark_signed_on_paper(clerk_a, draft)

    # Agency A's clerk numbers and issues the draft: its package for B waits in the outbox.
    sign_in(page, "vanthu.lt.a", PASSWORD)
    in_english(page)
    page.goto(f"/documents/{draft.pk}/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Number and issue").click()
    page.wait_for_url(f"**/documents/{draft.pk}/**")
    exchange_panel = page.get_by_role("region", name="Sent through the exchange")
    expect(exchange_panel.get_by_text("Waiting to be sent")).to_be_visible()
    sign_out(page)

    # The worker's round: signs, delivers through the local transport, B's inbox answers 01.
    tasks.exchange_round.call()

    # A package altered on the way also arrives for B: refused with its reason, never registered.
    signed = storage.read_bytes(OutboundMessage.objects.get(document=draft).payload_sha256)
    altered = signed.replace("Kế hoạch triển khai".encode(), "Kế hoạch thay đổi".encode())
    assert inbox.receive(altered, agency=agency_b, transport_name="local").outcome == "refused"

    # Agency B's clerk registers it.
    sign_in_en(page, "vanthu.lt.b")
    page.goto("/exchange/received/?state=refused")
    refused_row = page.get_by_role("row").filter(has_text="Kế hoạch thay đổi")
    # The reason is written in the language the receiving process runs in (Vietnamese by default).
    expect(refused_row.get_by_text(re.compile("changed after signing|đã bị thay đổi sau khi ký"))).to_be_visible()
    screenshot(page, "exchange-refused-list-en")
    nav_link(page, re.compile("Received through the exchange")).click()
    row = page.get_by_role("row").filter(has_text="Kế hoạch triển khai liên thông")
    expect(row.get_by_text("000.00.00.T27")).to_be_visible()
    screenshot(page, "exchange-received-list-en")
    row.get_by_role("link", name="Kế hoạch triển khai liên thông văn bản điện tử năm 2027").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Received package")
    signature = page.get_by_role("region", name="Signature")
    expect(signature.get_by_text("Valid", exact=True)).to_be_visible()
    expect(signature.get_by_text(re.compile("Sealed by Tỉnh ủy Bắc Ninh"))).to_be_visible()
    assert page.get_by_label("Document type").input_value() == "KH"  # read from the notation
    screenshot(page, "exchange-received-package-en")
    page.get_by_role("button", name="Register", exact=True).click()
    page.wait_for_url("**/documents/*/")
    incoming = Document.objects.get(agency=agency_b)
    assert page.get_by_role("status").inner_text().strip() == f"Registered with arrival number {incoming.number}."
    assert incoming.issuing_agency == agency_a and incoming.subject == draft.subject
    sign_out(page)

    # The worker brings 03 back; agency A's document page shows B's timeline.
    tasks.exchange_round.call()
    sign_in_en(page, "vanthu.lt.a")
    page.goto(f"/documents/{draft.pk}/")
    exchange_panel = page.get_by_role("region", name="Sent through the exchange")
    row = exchange_panel.get_by_role("row").filter(has_text="Ủy ban nhân dân tỉnh Nghệ An")
    expect(row.get_by_text("Sent", exact=True)).to_be_visible()
    expect(row.get_by_text("01", exact=True)).to_be_visible()
    expect(row.get_by_text("Arrived")).to_be_visible()
    expect(row.get_by_text("03", exact=True)).to_be_visible()
    expect(row.get_by_text("Registered")).to_be_visible()
    assert row.get_by_text("04", exact=True).count() == 0
    screenshot(page, "exchange-timeline-en")

    # Agency B handles it: assigned (04), worked on (05), completed (06); the worker sends each back.
    leader_b = make_person(agency_b, "lanhdao.lt.b", "Trần Quốc Lãnh", roles=["leader"])
    specialist_b = make_person(agency_b, "chuyenvien.lt.b", "Đỗ Thị Chuyên", roles=["specialist"])
    task = handling.assign(leader_b, incoming, lead=specialist_b, instructions="Đề nghị tham mưu triển khai.").tasks.get()
    handling.add_note(specialist_b, task, text="Đang xây dựng kế hoạch của tỉnh.")
    handling.complete(specialist_b, task, result="Đã ban hành kế hoạch của tỉnh.")
    tasks.exchange_round.call()
    page.reload()
    row = page.get_by_role("region", name="Sent through the exchange").get_by_role("row").filter(has_text="Ủy ban nhân dân tỉnh Nghệ An")
    for code, label in (("01", "Arrived"), ("03", "Registered"), ("04", "Assigned by a leader"), ("05", "Being processed"),
                        ("06", "Completed")):
        expect(row.get_by_text(code, exact=True), code).to_be_visible()
        expect(row.get_by_text(label), code).to_be_visible()
    screenshot(page, "exchange-timeline-complete-en")
