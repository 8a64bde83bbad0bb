"""One outgoing draft approved end to end in the browser (English interface, then the Vietnamese one): the drafter
submits it, the head of the unit returns it with a comment, the drafter uploads a new version and submits it again,
the head approves, the Office edits it (a third version) and approves, the leader approves. The versions page
compares two versions; "Awaiting my approval" and its count in the navigation follow each step."""

import pyotp
import pytest

from tests.e2e.conftest import screenshot, sign_in
from tests.e2e.test_workflow_assignment import in_english, nav_link, sign_in_en, sign_out
from tests.factories import PASSWORD, make_person, make_unit
from tests.workflow.test_approval import docx_bytes, text_file
from vanphong.documents import services
from vanphong.workflow import approval
from vanphong.workflow.approval import StepSpec
from vanphong.workflow.models import Approval, DraftVersion

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SUBJECT = "Kế hoạch chuyển đổi số năm 2027"


def approval_count(page) -> str:
    badge = nav_link(page, "My work").locator(".nav-count.warn")
    return badge.inner_text().split()[0] if badge.count() else "0"


@pytest.mark.django_db(transaction=True)
def test_a_draft_is_returned_revised_edited_and_approved(page, agency_a):
    office = make_unit(agency_a, "Văn phòng Tỉnh ủy", "VP")
    room = make_unit(agency_a, "Phòng Tổng hợp", "TH", parent=office)
    admin = make_person(agency_a, "quantri.duyet", "Vũ Thị Lan Anh", roles=["admin"], clearance=1)
    drafter = make_person(agency_a, "chuyenvien.duyet", "Đỗ Thị Chuyên", roles=["specialist"], unit=room)
    head = make_person(agency_a, "truongphong.duyet", "Lê Văn Trưởng", roles=["specialist"], unit=room, position="Trưởng phòng")
    make_person(agency_a, "vanphong.duyet", "Phan Văn Thẩm", roles=["specialist"], unit=office, position="Phó Chánh Văn phòng")
    leader = make_person(agency_a, "lanhdao.duyet", "Trần Quốc Khánh", roles=["leader"], position="Phó Bí thư Thường trực",
                         totp_secret=pyotp.random_base32(), totp_confirmed=True)
    approval.set_unit_head(admin, room, head)
    approval.save_chain(admin, agency_a, doc_type="", steps=[StepSpec("unit_head"), StepSpec("office", unit=office),
                                                             StepSpec("signing_leader")])
    draft = services.create_outgoing_draft(drafter, doc_type="KH", subject=SUBJECT, files=[
        text_file("ke-hoach.docx", "I. MỤC ĐÍCH\nII. NHIỆM VỤ\n1. Hoàn thiện hạ tầng\nIII. TỔ CHỨC THỰC HIỆN\n")])

    # The drafter submits it, choosing the leader who signs.
    sign_in(page, "chuyenvien.duyet", PASSWORD)
    in_english(page)
    page.goto(f"/documents/{draft.pk}/")
    panel = page.get_by_role("region", name="Approval")
    assert "Its chain: Head of the drafting unit → Office (Văn phòng) review (Văn phòng Tỉnh ủy) → Signing leader" in panel.inner_text()
    panel.get_by_label("Leader who signs").select_option(label="Trần Quốc Khánh · Phó Bí thư Thường trực")
    panel.get_by_label("Message to the approvers").fill("Kính trình anh xem xét.")
    screenshot(page, "approval-submit-en")
    panel.get_by_role("button", name="Submit for approval").click()
    assert page.get_by_role("status").inner_text().strip() == "Submitted for approval."
    assert approval_count(page) == "0"
    sign_out(page)

    # The head finds it awaiting approval, with the count in the navigation, and returns it with a comment.
    sign_in_en(page, "truongphong.duyet")
    assert approval_count(page) == "1"
    nav_link(page, "My work").click()
    page.get_by_role("navigation", name="My work", exact=True).get_by_role("link", name="Awaiting my approval").click()
    screenshot(page, "approval-awaiting-en")
    page.get_by_role("link", name=SUBJECT).click()
    panel = page.get_by_role("region", name="Approval")
    panel.get_by_text("Return with comments").click()
    panel.get_by_label("Comments: what should change").fill("Bổ sung chỉ tiêu cụ thể cho từng nhiệm vụ.")
    screenshot(page, "approval-return-en")
    panel.get_by_role("button", name="Return", exact=True).click()
    assert page.get_by_role("status").inner_text().strip() == "Returned with your comments."
    assert approval_count(page) == "0"
    sign_out(page)

    # The drafter uploads a new version and submits it again.
    sign_in_en(page, "chuyenvien.duyet")
    page.goto(f"/documents/{draft.pk}/")
    panel = page.get_by_role("region", name="Approval")
    assert "Returned to you." in panel.inner_text() and "Bổ sung chỉ tiêu cụ thể cho từng nhiệm vụ." in panel.inner_text()
    panel.get_by_role("link", name="Edit: new version").click()
    page.get_by_label("New main file").set_input_files(files=[{
        "name": "ke-hoach-v2.docx", "mimeType": DOCX,
        "buffer": docx_bytes("I. MỤC ĐÍCH\nII. NHIỆM VỤ\n1. Hoàn thiện hạ tầng, đạt 100% xã có cáp quang\nIII. TỔ CHỨC THỰC HIỆN\n")}])
    page.get_by_label("What changed").fill("Bổ sung chỉ tiêu theo ý kiến trưởng phòng.")
    screenshot(page, "approval-edit-en")
    page.get_by_role("button", name="Save as a new version").click()
    assert page.get_by_role("status").inner_text().strip() == "Saved as version 2."
    page.get_by_role("region", name="Approval").get_by_role("button", name="Submit again").click()
    sign_out(page)

    # The head approves version 2.
    sign_in_en(page, "truongphong.duyet")
    assert approval_count(page) == "1"
    page.goto(f"/documents/{draft.pk}/")
    page.get_by_role("region", name="Approval").get_by_role("button", name="Approve version 2").click()
    assert page.get_by_role("status").inner_text().strip() == "Approved: the draft goes to the next step."
    assert approval_count(page) == "0"
    sign_out(page)

    # The Office edits the subject (version 3) and approves it.
    sign_in_en(page, "vanphong.duyet")
    assert approval_count(page) == "1"
    page.goto(f"/documents/{draft.pk}/")
    page.get_by_role("region", name="Approval").get_by_role("link", name="Edit: new version").click()
    page.get_by_label("Subject").fill("Kế hoạch chuyển đổi số của Tỉnh ủy năm 2027")
    page.get_by_label("What changed").fill("Sửa trích yếu theo thể thức.")
    page.get_by_role("button", name="Save as a new version").click()
    assert page.get_by_role("status").inner_text().strip() == "Saved as version 3."
    page.get_by_role("region", name="Approval").get_by_role("button", name="Approve version 3").click()
    sign_out(page)

    # The leader approves: the approval is complete.
    sign_in_en(page, "lanhdao.duyet", code=lambda: pyotp.TOTP(leader.totp_secret).now())
    assert approval_count(page) == "1"
    page.goto(f"/documents/{draft.pk}/")
    page.get_by_role("region", name="Approval").get_by_role("button", name="Approve version 3").click()
    assert page.get_by_role("status").inner_text().strip() == "Approved: the approval is complete, the draft may be issued."
    assert approval_count(page) == "0"
    panel = page.get_by_role("region", name="Approval")
    timeline = panel.locator("ol.timeline").inner_text()
    for line in ("Submitted for approval · Đỗ Thị Chuyên", "Returned · Lê Văn Trưởng", "Bổ sung chỉ tiêu cụ thể cho từng nhiệm vụ.",
                 "New version · Đỗ Thị Chuyên", "Submitted again · Đỗ Thị Chuyên", "New version · Phan Văn Thẩm",
                 "Approval complete · Trần Quốc Khánh"):
        assert line in timeline, line
    screenshot(page, "approval-complete-en")
    assert Approval.objects.get(document=draft).status == "approved" and DraftVersion.objects.filter(document=draft).count() == 3

    # The versions page compares version 1 with version 3: the new file's text and the new subject.
    panel.get_by_role("link", name="3 versions: see and compare them").click()
    page.get_by_label("Compare version").select_option("1")
    page.get_by_label("with version").select_option("3")
    page.get_by_role("button", name="Compare").click()
    comparison = page.get_by_role("region", name="Version 1 compared with version 3")
    assert "Kế hoạch chuyển đổi số của Tỉnh ủy năm 2027" in comparison.locator("table").inner_text()
    assert "The main file changed." in comparison.inner_text()
    diff = comparison.locator("pre.diff")
    assert diff.locator(".diff-removed").inner_text().strip() == "− 1. Hoàn thiện hạ tầng"
    assert diff.locator(".diff-added").inner_text().strip() == "+ 1. Hoàn thiện hạ tầng, đạt 100% xã có cáp quang"
    screenshot(page, "approval-compare-en")

    # The same pages in Vietnamese.
    page.get_by_role("button", name="Tiếng Việt").click()
    page.wait_for_load_state()
    screenshot(page, "approval-compare-vi")
    page.goto(f"/documents/{draft.pk}/")
    screenshot(page, "approval-complete-vi")
    assert page.locator(f'a[href="/workflow/drafts/{draft.pk}/edit/"]').count() == 0  # approved: nobody edits it now
    sign_out_vi(page)
    another = services.create_outgoing_draft(drafter, doc_type="BC", subject="Báo cáo kết quả chuyển đổi số quý IV")
    approval.submit(drafter, another, signer=leader)
    sign_in(page, "truongphong.duyet", PASSWORD)
    page.goto("/workflow/work/?tab=approval")
    assert "Báo cáo kết quả chuyển đổi số quý IV" in page.locator("table.work").inner_text()
    screenshot(page, "approval-awaiting-vi")
    page.goto(f"/documents/{another.pk}/")
    screenshot(page, "approval-step-vi")


def sign_out_vi(page):
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url("**/accounts/login/**")


@pytest.mark.django_db(transaction=True)
def test_an_administrator_sets_the_chain_and_the_heads_of_units(page, agency_a):
    office = make_unit(agency_a, "Văn phòng Tỉnh ủy", "VP")
    room = make_unit(agency_a, "Phòng Tổng hợp", "TH", parent=office)
    admin = make_person(agency_a, "quantri.chuoi", "Vũ Thị Lan Anh", roles=["admin"], clearance=1,
                        totp_secret=pyotp.random_base32(), totp_confirmed=True)
    make_person(agency_a, "truongphong.chuoi", "Lê Văn Trưởng", roles=["specialist"], unit=room)
    make_person(agency_a, "lanhdao.chuoi", "Trần Quốc Khánh", roles=["leader"], position="Phó Bí thư Thường trực")

    sign_in(page, "quantri.chuoi", PASSWORD, code=lambda: pyotp.TOTP(admin.totp_secret).now())
    in_english(page)
    nav_link(page, "Calendar and deadlines").click()
    page.get_by_role("link", name="Approval chains").click()
    assert "No chain yet: drafts are issued without approval." in page.locator("main").inner_text()

    # The head of the room, for the chain's first step.
    heads = page.get_by_role("form", name="Name the head of a unit")
    heads.get_by_label("Unit").select_option(label="— Phòng Tổng hợp")
    heads.get_by_label("Head").select_option(label="Lê Văn Trưởng · Phòng Tổng hợp")
    heads.get_by_role("button", name="Save").click()
    assert page.get_by_role("status").inner_text().strip() == "Lê Văn Trưởng heads Phòng Tổng hợp."

    # A chain whose signing leader is not last is refused, and nothing is saved.
    page.get_by_role("button", name="Set its steps").click()
    page.get_by_label("Step 1: who approves").select_option(label="Signing leader")
    page.get_by_label("Step 2: who approves").select_option(label="Head of the drafting unit")
    page.get_by_role("button", name="Save the chain").click()
    assert "The last step, and only the last, is the signing leader's." in page.get_by_role("alert").first.inner_text()

    page.get_by_label("Step 1: who approves").select_option(label="Head of the drafting unit")
    page.get_by_label("Step 2: who approves").select_option(label="Office (Văn phòng) review")
    page.get_by_label("Step 2: unit").select_option(label="Văn phòng Tỉnh ủy")
    page.get_by_label("Step 3: who approves").select_option(label="Signing leader")
    page.get_by_label("Step 3: person").select_option(label="Trần Quốc Khánh")
    screenshot(page, "approval-chain-edit-en")
    page.get_by_role("button", name="Save the chain").click()
    assert page.get_by_role("status").inner_text().strip() == "Approval chain saved."
    chains = page.get_by_role("table").first.inner_text()
    assert "Default chain" in chains and "Office (Văn phòng) review: Văn phòng Tỉnh ủy" in chains and "Signing leader: Trần Quốc Khánh" in chains
    screenshot(page, "approval-chains-en")
    page.get_by_role("button", name="Tiếng Việt").click()
    page.wait_for_load_state()
    screenshot(page, "approval-chains-vi")
    page.goto("/workflow/approval-chains/edit/")
    screenshot(page, "approval-chain-edit-vi")
