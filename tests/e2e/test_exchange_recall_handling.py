"""A recall ends the handling in progress, in the browser (English interface): agency B registered a document
from A and its leader assigned it to a specialist, who has it in "To do"; A recalls it; B's clerk accepts the
recall; the document's handling panel says the round ended (who, when, why) and offers no action; the
specialist's "To do" no longer lists it, "Done" shows it withdrawn, and the bell tells them why."""

import pyotp
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
from vanphong.workflow import handling

SUBJECT = "Kế hoạch kiểm tra công tác văn thư năm 2027"
REASON = "Văn bản ban hành nhầm đối tượng, sẽ ban hành lại"


@pytest.mark.django_db(transaction=True)
def test_a_recall_accepted_by_b_ends_the_round_and_empties_the_specialists_to_do(page, agency_a, agency_b, seals):  # noqa: F811
    clerk_a = make_person(agency_a, "vanthu.rh.a", "Nguyễn Thị Văn", roles=["clerk"])
    clerk_b = make_person(agency_b, "vanthu.rh.b", "Hoàng Thị Thư", roles=["clerk"])
    leader_b = make_person(agency_b, "lanhdao.rh.b", "Trần Quốc Khánh", roles=["leader"], totp_secret=pyotp.random_base32(),
                           totp_confirmed=True)
    specialist_b = make_person(agency_b, "chuyenvien.rh.b", "Đỗ Thị Chuyên", roles=["specialist"])
    document = issued_document(clerk_a, [agency_b], subject=SUBJECT)
    tasks.exchange_round.call()
    incoming = services.register_received(clerk_b, InboundPackage.objects.get(agency=agency_b), doc_type="KH")
    handling.assign(leader_b, incoming, lead=specialist_b, instructions="Chuẩn bị kế hoạch triển khai.")
    tasks.exchange_round.call()

    # The specialist has it to do.
    sign_in(page, "chuyenvien.rh.b", PASSWORD)
    in_english(page)
    page.goto("/workflow/work/?tab=todo")
    expect(page.get_by_role("table").get_by_text(SUBJECT)).to_be_visible()
    screenshot(page, "recall-handling-todo-before-en")
    sign_out(page)

    # A recalls it; B's clerk accepts the recall.
    services.recall_document(clerk_a, document, reason=REASON)
    tasks.exchange_round.call()
    sign_in_en(page, "vanthu.rh.b")
    page.goto("/exchange/received/")
    page.get_by_role("row").filter(has_text="Recall request").get_by_role("link", name=SUBJECT).click()
    page.get_by_role("button", name="Accept the recall").click()
    assert "Recall accepted" in page.get_by_role("status").inner_text()
    page.goto(f"/documents/{incoming.pk}/")
    panel = page.get_by_role("region", name="Handling")
    ended = panel.get_by_role("group", name="Handling ended")
    expect(ended.get_by_text("Handling ended: the sender recalled this document.")).to_be_visible()
    expect(ended.get_by_text(REASON)).to_be_visible()
    expect(ended.get_by_text("Hoàng Thị Thư")).to_be_visible()
    expect(panel.get_by_role("heading", name="Round 1 Ended: document withdrawn")).to_be_visible()
    screenshot(page, "recall-handling-panel-en")
    sign_out(page)

    # The leader can no longer assign it.
    sign_in_en(page, "lanhdao.rh.b", code=lambda: pyotp.TOTP(leader_b.totp_secret).now())
    page.goto(f"/documents/{incoming.pk}/")
    expect(page.get_by_role("region", name="Handling").get_by_role("group", name="Handling ended")).to_be_visible()
    expect(page.get_by_role("button", name="Assign")).to_have_count(0)
    page.goto(f"/workflow/documents/{incoming.pk}/assign/")
    expect(page.get_by_text("The sender recalled this document (accepted on")).to_be_visible()
    screenshot(page, "recall-handling-assign-refused-en")
    sign_out(page)

    # The specialist's "To do" no longer lists it; "Done" shows it withdrawn; the bell says why.
    sign_in_en(page, "chuyenvien.rh.b")
    page.goto("/workflow/work/?tab=todo")
    tabs = page.get_by_role("navigation", name="My work")
    expect(tabs.get_by_role("link", name="To do 0")).to_be_visible()
    expect(page.get_by_role("table").get_by_text("Nothing here.")).to_be_visible()
    expect(page.get_by_role("table").get_by_text(SUBJECT)).to_have_count(0)
    screenshot(page, "recall-handling-todo-after-en")
    page.goto("/workflow/work/?tab=done")
    row = page.get_by_role("row").filter(has_text=SUBJECT)
    expect(row.get_by_text("Ended: document withdrawn")).to_be_visible()
    screenshot(page, "recall-handling-done-en")
    page.goto("/notifications/")
    expect(page.get_by_text(f"Recalled by the sender, handling ended: {SUBJECT}")).to_be_visible()
    expect(page.get_by_text(REASON)).to_be_visible()
    screenshot(page, "recall-handling-notification-en")
