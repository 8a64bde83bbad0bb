"""The approval pages: the administrators' chains page, the panel on a draft's page with its actions, the edit and
versions pages, "Awaiting my approval" in My work with its count in the navigation, and who reaches which page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.conftest import signed_in
from tests.factories import make_person
from tests.workflow.test_approval import Drafting, docx_bytes, make_drafting
from vanphong.workflow import approval
from vanphong.workflow.models import Approval, ApprovalChain, ApprovalStep, DraftVersion, UnitHead

pytestmark = pytest.mark.django_db


@pytest.fixture
def d(agency_a) -> Drafting:
    return make_drafting(agency_a)


@pytest.fixture
def as_(client):
    def sign_in(person):
        client.logout()
        client.cookies["vanphong_language"] = "en"
        return signed_in(client, person)

    return sign_in


def text(response) -> str:
    return " ".join(response.content.decode().split())


def chain_post(**rows) -> dict:
    data = {}
    for n, (role, person, unit, self_ok) in rows.items():
        data.update({f"role_{n[-1]}": role, f"person_{n[-1]}": person, f"unit_{n[-1]}": unit})
        if self_ok:
            data[f"self_{n[-1]}"] = "on"
    return data


# ---- the chains page --------------------------------------------------------------------------------------------


def test_an_administrator_sets_a_chain_and_a_unit_head_on_the_page(d, as_):
    client = as_(d.admin)
    page = text(client.get("/workflow/approval-chains/"))
    assert "No chain yet" in page and "Lê Văn Trưởng" in page  # the room's head, named in the fixture
    assert "Default chain" not in page
    response = client.post("/workflow/approval-chains/edit/?doc_type=QĐ", chain_post(
        r1=("unit_head", "", "", False), r2=("office", "", d.office.pk, False), r3=("signing_leader", d.leader.pk, "", False)))
    assert response.status_code == 302
    chain = ApprovalChain.objects.get()
    assert chain.doc_type == "QĐ" and [s.role for s in chain.steps.order_by("position")] == ["unit_head", "office", "signing_leader"]
    page = text(client.get("/workflow/approval-chains/"))
    assert "Decision (Quyết định)" in page and "Signing leader: Trần Quốc Khánh" in page
    # Editing shows the steps as saved.
    assert f'<option value="{d.office.pk}" selected>' in client.get("/workflow/approval-chains/edit/?doc_type=QĐ").content.decode()
    response = client.post("/workflow/approval-chains/", {"unit": d.office.pk, "person": d.reviewer.pk})
    assert response.status_code == 302 and UnitHead.objects.get(unit=d.office).person == d.reviewer


def test_a_chain_without_its_signing_leader_last_is_refused_on_the_page(d, as_):
    client = as_(d.admin)
    response = client.post("/workflow/approval-chains/edit/", chain_post(r1=("signing_leader", "", "", False), r2=("unit_head", "", "", False)))
    assert response.status_code == 200 and "The last step, and only the last, is the signing leader" in text(response)
    response = client.post("/workflow/approval-chains/edit/", chain_post(r1=("office", "", "", False), r2=("signing_leader", "", "", False)))
    assert "Step 1: choose the unit." in text(response)
    assert not ApprovalChain.objects.exists()


def test_only_administrators_reach_the_chains_page(d, as_, admin_b):
    for person in (d.drafter, d.leader, d.clerk):
        client = as_(person)
        assert client.get("/workflow/approval-chains/").status_code == 403
        assert client.get("/workflow/approval-chains/edit/").status_code == 403
        assert client.post("/workflow/approval-chains/edit/", chain_post(r1=("signing_leader", "", "", False))).status_code == 403
    d.default_chain()
    client = as_(admin_b)  # another agency's administrator sees and changes only their own
    assert "Văn phòng" not in text(client.get("/workflow/approval-chains/"))
    assert client.post("/workflow/approval-chains/remove/", {"doc_type": ""}).status_code == 404
    response = client.post("/workflow/approval-chains/", {"unit": d.room.pk, "person": ""})
    assert response.status_code == 200 and UnitHead.objects.filter(unit=d.room).exists()
    assert ApprovalChain.objects.filter(agency=d.agency).exists()
    client = as_(d.admin)
    assert client.post("/workflow/approval-chains/remove/", {"doc_type": ""}).status_code == 302
    assert not ApprovalChain.objects.exists()


# ---- a draft's way -------------------------------------------------------------------------------------------------


def test_a_draft_is_submitted_returned_edited_and_approved_from_its_page(d, as_):
    d.default_chain()
    draft = d.draft()
    client = as_(d.drafter)
    page = text(client.get(f"/documents/{draft.pk}/"))
    assert "Not submitted" in page and "Leader who signs" in page and "Head of the drafting unit → Office (Văn phòng) review" in page
    response = client.post(f"/workflow/drafts/{draft.pk}/submit/", {"signer": d.leader.pk, "comment": "Kính trình anh xem."})
    assert response.status_code == 302 and response["Location"] == f"/documents/{draft.pk}/#approval"
    assert Approval.objects.get().status == "in_progress"

    client = as_(d.head)
    page = text(client.get(f"/documents/{draft.pk}/"))
    assert "Awaiting your approval: Head of the drafting unit" in page and "Approve version 1" in page
    assert '<span class="nav-count warn" title="awaiting my approval">1' in client.get("/workflow/work/").content.decode()
    page = text(client.get("/workflow/work/?tab=approval"))
    assert "Dự thảo kế hoạch chuyển đổi số năm 2027" in page and "Đỗ Thị Chuyên" in page
    client.post(f"/workflow/drafts/{draft.pk}/return/", {"comment": "Bổ sung chỉ tiêu.", "to": "drafter"})
    assert Approval.objects.get().status == "returned"

    client = as_(d.drafter)
    page = text(client.get(f"/documents/{draft.pk}/"))
    assert "Returned to you." in page and "Bổ sung chỉ tiêu." in page and "Submit again" in page
    assert "Dự thảo kế hoạch" in text(client.get("/workflow/work/?tab=approval"))  # under "returned to you"
    response = client.post(f"/workflow/drafts/{draft.pk}/edit/", {
        "subject": draft.subject, "urgency": 0, "note": "Đã bổ sung chỉ tiêu",
        "file": SimpleUploadedFile("du-thao-2.docx", docx_bytes("Điều 1. Mục tiêu\nĐiều 2. Chỉ tiêu cụ thể\n"))})
    assert response.status_code == 302 and DraftVersion.objects.filter(document=draft).count() == 2
    client.post(f"/workflow/drafts/{draft.pk}/submit/", {})

    client = as_(d.head)
    response = client.post(f"/workflow/drafts/{draft.pk}/approve/", {"version": 1}, follow=True)
    assert "now at version 2" in text(response) and ApprovalStep.objects.get(position=1).status == "pending"
    client.post(f"/workflow/drafts/{draft.pk}/approve/", {"version": 2, "comment": "Đồng ý."})
    assert ApprovalStep.objects.get(position=2).status == "pending"

    page = text(client.get(f"/workflow/drafts/{draft.pk}/versions/?old=1&new=2"))
    assert "Version 1 compared with version 2" in page and "The main file changed." in page
    assert "− Điều 2. Nhiệm vụ" in page and "+ Điều 2. Chỉ tiêu cụ thể" in page


def test_the_pages_refuse_what_the_services_refuse(d, as_):
    approval.save_chain(d.admin, d.agency, doc_type="", steps=[
        approval.StepSpec("unit", unit=d.room), approval.StepSpec("signing_leader", person=d.leader)])
    draft = d.draft()
    client = as_(d.drafter)
    assert "Leader who signs" not in text(client.get(f"/documents/{draft.pk}/"))  # the chain names the leader
    client.post(f"/workflow/drafts/{draft.pk}/submit/", {})
    page = text(client.get(f"/documents/{draft.pk}/"))
    assert "this step may not be approved by its drafter" in page  # the drafter is a member of the room
    response = client.post(f"/workflow/drafts/{draft.pk}/approve/", {"version": 1}, follow=True)
    assert "You drafted this document" in text(response) and ApprovalStep.objects.get(position=1).status == "pending"
    client = as_(d.reviewer)  # not the room's
    assert "Approve version" not in text(client.get(f"/documents/{draft.pk}/"))
    response = client.post(f"/workflow/drafts/{draft.pk}/approve/", {"version": 1}, follow=True)
    assert "This step is not yours" in text(response)
    assert client.get(f"/workflow/drafts/{draft.pk}/edit/").status_code == 403
    response = client.post(f"/workflow/drafts/{draft.pk}/edit/", {"subject": "Đổi", "urgency": 0})
    assert response.status_code == 403 and DraftVersion.objects.count() == 1
    response = client.post(f"/workflow/drafts/{draft.pk}/return/", {"comment": ""}, follow=True)
    assert "Write your comments" in text(response) and Approval.objects.get().status == "in_progress"


def test_another_agency_or_a_reader_below_the_clearance_reaches_no_approval_page(d, as_, agency_b):
    d.default_chain()
    approval.set_unit_head(d.admin, d.office, d.reviewer)
    draft = d.draft(subject="Dự thảo riêng của A")
    secret = d.draft(subject="Dự thảo mật của A", confidentiality=1)
    approval.submit(d.drafter, draft, signer=d.leader)
    approval.submit(d.drafter, secret, signer=d.leader)
    stranger = make_person(agency_b, "lanhdao.b", "Lãnh Đạo B", roles=["leader", "admin"], clearance=3)
    uncleared = make_person(d.agency, "chuyenvien2.ap", "Người Chưa Có Mật", roles=["specialist"], unit=d.office)
    before = list(ApprovalStep.objects.order_by("pk").values_list("status", flat=True)), DraftVersion.objects.count()
    for person, doc in ((stranger, draft), (stranger, secret), (uncleared, secret)):
        client = as_(person)
        for url in (f"/workflow/drafts/{doc.pk}/versions/", f"/workflow/drafts/{doc.pk}/edit/", f"/documents/{doc.pk}/"):
            assert client.get(url).status_code == 404, (person, url)
        for action, data in (("submit", {}), ("approve", {"version": 1}), ("return", {"comment": "x"}),
                             ("edit", {"subject": "x", "urgency": 0})):
            assert client.post(f"/workflow/drafts/{doc.pk}/{action}/", data).status_code == 404, (person, action)
        page = text(client.get("/workflow/work/?tab=approval"))
        assert "riêng của A" not in page and "mật của A" not in page
    assert (list(ApprovalStep.objects.order_by("pk").values_list("status", flat=True)), DraftVersion.objects.count()) == before
    # The office's other member sees the ordinary draft awaiting the office, not the confidential one (its head's).
    approval.approve(d.head, draft, version=1)
    approval.approve(d.head, secret, version=1)
    assert "riêng của A" in text(as_(uncleared).get("/workflow/work/?tab=approval"))
    assert "mật của A" not in text(as_(uncleared).get("/workflow/work/?tab=approval"))
    assert "mật của A" in text(as_(d.reviewer).get("/workflow/work/?tab=approval"))
