"""Approval of outgoing drafts: chains, submission, each step's actions, versions and their comparison, the checks
that signing and issuing ask, and every refusal changing nothing."""

from __future__ import annotations

import io
from dataclasses import dataclass

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import make_person, make_unit
from vanphong.core.errors import PermissionDenied, ValidationError
from vanphong.core.models import AuditRecord
from vanphong.documents import hooks
from vanphong.documents import services as documents
from vanphong.documents.attachments import store
from vanphong.documents.models import Attachment, Distribution, Document
from vanphong.signing import document_services as signing_documents
from vanphong.workflow import approval
from vanphong.workflow import approval_selectors as selectors
from vanphong.workflow.approval import StepSpec
from vanphong.workflow.models import Approval, ApprovalChain, ApprovalChainStep, ApprovalEvent, ApprovalStep, DraftVersion, UnitHead

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TABLES = (Approval, ApprovalStep, ApprovalEvent, DraftVersion, ApprovalChain, ApprovalChainStep, UnitHead, AuditRecord, Document,
          Attachment, Distribution)


def snapshot():
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in TABLES}


def refused(error, call, *, match=None):
    """`call` raises `error` (with `match` in its message) and changes nothing in the database."""
    before = snapshot()
    with pytest.raises(error) as caught:
        call()
    if match:
        assert match in " ".join(getattr(caught.value, "messages", [str(caught.value)])), caught.value
    assert snapshot() == before
    return caught.value


def docx_bytes(text: str) -> bytes:
    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def text_file(name: str, text: str):
    """A Word file whose paragraphs are the lines of `text`, checked and stored as an upload is."""
    return store(SimpleUploadedFile(name, docx_bytes(text)))


@dataclass
class Drafting:
    agency: object
    office: object
    room: object
    board: object
    admin: object
    clerk: object
    drafter: object
    head: object
    reviewer: object
    leader: object
    other_leader: object

    def draft(self, subject="Dự thảo kế hoạch chuyển đổi số năm 2027", *, by=None, text="Điều 1. Mục tiêu\nĐiều 2. Nhiệm vụ\n", **fields):
        fields.setdefault("doc_type", "KH")
        files = [text_file("du-thao.docx", text)] if text else []
        return documents.create_outgoing_draft(by or self.drafter, subject=subject, files=files, **fields)

    def default_chain(self, **kwargs):
        return approval.save_chain(self.admin, self.agency, doc_type="", steps=[
            StepSpec("unit_head"), StepSpec("office", unit=self.office), StepSpec("signing_leader")], **kwargs)


def make_drafting(agency_a) -> Drafting:
    """Agency A: the Office (VP) and its General Affairs room (TH), whose head is named; a Party board; an administrator,
    a clerk, a drafter in the room, an Office reviewer and two leaders."""
    office = make_unit(agency_a, "Văn phòng", "VP")
    room = make_unit(agency_a, "Phòng Tổng hợp", "TH", parent=office)
    board = make_unit(agency_a, "Ban Tổ chức", "BTC")
    head = make_person(agency_a, "truongphong.ap", "Lê Văn Trưởng", roles=["specialist"], unit=room, clearance=1)
    result = Drafting(
        agency=agency_a, office=office, room=room, board=board,
        admin=make_person(agency_a, "quantri.ap", "Vũ Thị Quản Trị", roles=["admin"], clearance=1),
        clerk=make_person(agency_a, "vanthu.ap", "Nguyễn Thị Văn Thư", roles=["clerk"], clearance=1),
        drafter=make_person(agency_a, "chuyenvien.ap", "Đỗ Thị Chuyên", roles=["specialist"], unit=room, clearance=1),
        head=head,
        reviewer=make_person(agency_a, "vanphong.ap", "Phan Văn Thẩm", roles=["specialist"], unit=office, clearance=1),
        leader=make_person(agency_a, "lanhdao.ap", "Trần Quốc Khánh", roles=["leader"], clearance=1, position="Phó Bí thư"),
        other_leader=make_person(agency_a, "lanhdao2.ap", "Hà Minh Phó", roles=["leader"], clearance=1),
    )
    approval.set_unit_head(result.admin, room, head)
    return result


@pytest.fixture
def d(agency_a) -> Drafting:
    return make_drafting(agency_a)


# ---- chains ---------------------------------------------------------------------------------------------------


def test_an_administrator_sets_a_default_chain_and_one_per_type(d):
    d.default_chain()
    approval.save_chain(d.admin, d.agency, doc_type="QĐ", steps=[StepSpec("person", person=d.reviewer, drafter_may_approve=True),
                                                                 StepSpec("signing_leader", person=d.leader)])
    assert [s.role for s in approval.chain_for(d.agency.pk, "KH").steps.order_by("position")] == ["unit_head", "office", "signing_leader"]
    assert [s.role for s in approval.chain_for(d.agency.pk, "QĐ").steps.order_by("position")] == ["person", "signing_leader"]
    # Saving again replaces the steps.
    approval.save_chain(d.admin, d.agency, doc_type="QĐ", steps=[StepSpec("signing_leader")])
    assert approval.chain_for(d.agency.pk, "QĐ").steps.count() == 1
    assert AuditRecord.objects.filter(action="workflow.approval_chain.saved").count() == 3


@pytest.mark.parametrize("steps, message", [
    ([], "at least one step"),
    ([StepSpec("office")], "choose the unit"),
    ([StepSpec("person"), StepSpec("signing_leader")], "choose the person"),
    ([StepSpec("unit_head")], "only the last, is the signing leader"),
    ([StepSpec("signing_leader"), StepSpec("unit_head")], "only the last, is the signing leader"),
    ([StepSpec("signing_leader"), StepSpec("signing_leader")], "only the last, is the signing leader"),
    ([StepSpec("bogus"), StepSpec("signing_leader")], "choose who approves"),
])
def test_a_chain_that_makes_no_sense_is_refused(d, steps, message):
    refused(ValidationError, lambda: approval.save_chain(d.admin, d.agency, doc_type="", steps=steps), match=message)


def test_a_chain_names_only_the_agencys_own_people_and_units(d, agency_b):
    stranger = make_person(agency_b, "nguoi.b", "Người Của B", roles=["leader"])
    unit_b = make_unit(agency_b, "Văn phòng UBND", "VP")
    refused(ValidationError, lambda: approval.save_chain(d.admin, d.agency, doc_type="", steps=[
        StepSpec("office", unit=unit_b), StepSpec("signing_leader")]), match="not an open unit of your agency")
    refused(ValidationError, lambda: approval.save_chain(d.admin, d.agency, doc_type="", steps=[
        StepSpec("signing_leader", person=stranger)]), match="not an active person of your agency")
    refused(ValidationError, lambda: approval.save_chain(d.admin, d.agency, doc_type="", steps=[
        StepSpec("signing_leader", person=d.reviewer)]), match="not a leader")


def test_only_the_agencys_administrator_sets_chains_and_heads(d, admin_b):
    for person in (d.drafter, d.leader, admin_b):
        refused(PermissionDenied, lambda p=person: approval.save_chain(p, d.agency, doc_type="", steps=[StepSpec("signing_leader")]))
    refused(ValidationError, lambda: approval.set_unit_head(admin_b, d.room, None), match="no such unit")
    refused(PermissionDenied, lambda: approval.set_unit_head(d.drafter, d.room, None))
    refused(ValidationError, lambda: approval.set_unit_head(d.admin, d.room, make_person(admin_b.agency, "x.b", "X B")),
            match="not an active person of your agency")


# ---- the whole way ------------------------------------------------------------------------------------------------


def test_a_draft_goes_through_its_chain_with_a_return_a_new_version_and_an_edit(d):
    d.default_chain()
    draft = d.draft()
    submitted = approval.submit(d.drafter, draft, signer=d.leader, comment="Kính trình")
    steps = list(submitted.steps.order_by("position"))
    assert [(s.role, s.person, s.unit, s.status) for s in steps] == [
        ("unit_head", d.head, None, "pending"), ("office", None, d.office, "waiting"), ("signing_leader", d.leader, None, "waiting")]
    assert DraftVersion.objects.get(document=draft).number == 1
    assert list(selectors.awaiting_my_approval(d.head)) == [steps[0]] and selectors.awaiting_count(d.drafter) == 0

    # The head returns it to the drafter; the drafter uploads a new version and submits it again: back to the head.
    approval.return_draft(d.head, draft, comment="Bổ sung chỉ tiêu cụ thể.")
    assert Approval.objects.get(document=draft).status == "returned" and selectors.awaiting_count(d.head) == 0
    assert list(selectors.returned_to_me(d.drafter)) == [submitted]
    v2 = approval.edit_draft(d.drafter, draft, file=text_file("du-thao-2.docx", "Điều 1. Mục tiêu\nĐiều 2. Nhiệm vụ cụ thể\n"),
                             note="Đã bổ sung")
    assert v2.number == 2 and v2.main_attachment.filename == "du-thao-2.docx"
    assert signing_documents.main_file(draft) == v2.main_attachment  # the official signs the latest version, not the first file
    approval.submit(d.drafter, draft)
    assert selectors.awaiting_count(d.head) == 1
    approval.approve(d.head, draft, version=2)

    # The office (any member of the Văn phòng unit) edits the subject, then approves its own version.
    assert selectors.awaiting_count(d.reviewer) == 1 and selectors.awaiting_count(d.head) == 0
    v3 = approval.edit_draft(d.reviewer, draft, changes={"subject": "Kế hoạch chuyển đổi số năm 2027"}, note="Sửa trích yếu")
    draft.refresh_from_db()
    assert draft.subject == "Kế hoạch chuyển đổi số năm 2027" and v3.main_attachment == v2.main_attachment
    approval.approve(d.reviewer, draft, version=3)

    # Signing may start: only the chosen leader; issuing waits for the leader's approval.
    hooks_sign = [c for c in hooks.sign_checks if c is approval.sign_check]
    assert hooks_sign and approval.issue_check in hooks.issue_checks
    approval.sign_check(d.leader, draft)
    with pytest.raises(PermissionDenied):
        approval.sign_check(d.other_leader, draft)
    with pytest.raises(ValidationError, match="awaits Trần Quốc Khánh"):
        approval.issue_check(d.clerk, draft)
    done = approval.approve(d.leader, draft, version=3)
    assert done.status == "approved" and done.completed_at is not None
    approval.issue_check(d.clerk, draft)

    kinds = list(ApprovalEvent.objects.filter(approval=done).values_list("kind", flat=True))
    assert kinds == ["submitted", "returned", "edited", "resubmitted", "approved", "edited", "approved", "approved", "completed"]
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"workflow.approval.submitted", "workflow.approval.returned", "workflow.approval.edited", "workflow.approval.resubmitted",
            "workflow.approval.approved"} <= actions

    comparison = selectors.compare(draft, 1, 3)
    assert [(c.name, c.old, c.new) for c in comparison.fields] == [
        ("subject", "Dự thảo kế hoạch chuyển đổi số năm 2027", "Kế hoạch chuyển đổi số năm 2027")]
    assert comparison.main_changed and [f["filename"] for f in comparison.files_added] == ["du-thao-2.docx"]
    assert [(line.kind, line.text) for line in comparison.text_lines if line.kind != "same"] == [
        ("removed", "Điều 2. Nhiệm vụ"), ("added", "Điều 2. Nhiệm vụ cụ thể")]


def test_return_to_the_previous_step_undoes_its_approval(d):
    d.default_chain()
    draft = d.draft()
    approval.submit(d.drafter, draft, signer=d.leader)
    approval.approve(d.head, draft, version=1)
    approval.return_draft(d.reviewer, draft, comment="Trưởng phòng xem lại số liệu.", to_previous=True)
    first = ApprovalStep.objects.get(approval__document=draft, position=1)
    assert (first.status, first.decided_by, first.approved_version) == ("pending", None, None)
    assert selectors.awaiting_count(d.head) == 1 and selectors.awaiting_count(d.reviewer) == 0
    refused(ValidationError, lambda: approval.return_draft(d.head, draft, comment="x", to_previous=True), match="first step")


# ---- refusals -----------------------------------------------------------------------------------------------------


def test_approving_ones_own_draft_where_the_chain_forbids_it_is_refused(d):
    approval.save_chain(d.admin, d.agency, doc_type="", steps=[StepSpec("unit", unit=d.room), StepSpec("signing_leader")])
    draft = d.draft()  # the drafter is a member of the room, which holds the first step
    approval.submit(d.drafter, draft, signer=d.leader)
    refused(PermissionDenied, lambda: approval.approve(d.drafter, draft, version=1), match="You drafted this document")
    approval.approve(d.head, draft, version=1)  # another member of the room may


def test_a_step_that_allows_it_lets_the_drafter_approve(d):
    approval.save_chain(d.admin, d.agency, doc_type="", steps=[StepSpec("unit", unit=d.room, drafter_may_approve=True),
                                                               StepSpec("signing_leader")])
    draft = d.draft()
    approval.submit(d.drafter, draft, signer=d.leader)
    assert approval.approve(d.drafter, draft, version=1).current_position == 2


def test_a_head_who_drafts_goes_to_the_head_above(d):
    d.default_chain()
    approval.set_unit_head(d.admin, d.office, d.reviewer)
    draft = d.draft(by=d.head)
    steps = list(approval.submit(d.head, draft, signer=d.leader).steps.order_by("position"))
    assert steps[0].person == d.reviewer


def test_approving_a_step_not_yours_an_outdated_version_or_another_agencys_draft_is_refused(d, agency_b):
    d.default_chain()
    draft = d.draft()
    approval.submit(d.drafter, draft, signer=d.leader)
    refused(PermissionDenied, lambda: approval.approve(d.reviewer, draft, version=1), match="awaits Lê Văn Trưởng")
    refused(PermissionDenied, lambda: approval.approve(d.leader, draft, version=1), match="not yours")
    approval.edit_draft(d.head, draft, changes={"notes": "Ghi chú của trưởng phòng"})
    refused(ValidationError, lambda: approval.approve(d.head, draft, version=1), match="now at version 2")
    stranger = make_person(agency_b, "lanhdao.b", "Lãnh Đạo B", roles=["leader", "admin"], clearance=3)
    for call in (lambda: approval.approve(stranger, draft, version=2), lambda: approval.return_draft(stranger, draft, comment="x"),
                 lambda: approval.edit_draft(stranger, draft, changes={"notes": "x"}), lambda: approval.submit(stranger, draft)):
        refused(PermissionDenied, call, match="another agency")


def test_a_confidential_draft_is_refused_to_those_below_its_level(d):
    d.default_chain()
    approval.set_unit_head(d.admin, d.office, d.reviewer)
    draft = d.draft(confidentiality=1)
    approval.submit(d.drafter, draft, signer=d.leader)
    # The office step went to the office's head, who is on the distribution; the unit's other members are not.
    step = ApprovalStep.objects.get(approval__document=draft, position=2)
    assert (step.person, step.unit) == (d.reviewer, None)
    assert set(Distribution.objects.filter(document=draft).values_list("person", flat=True)) >= {d.head.pk, d.reviewer.pk, d.leader.pk}
    d.head.clearance = 0
    d.head.save()
    refused(PermissionDenied, lambda: approval.approve(d.head, draft, version=1), match="may not read")
    assert selectors.awaiting_count(d.head) == 0


def test_submission_refusals(d):
    draft = d.draft()
    refused(ValidationError, lambda: approval.submit(d.drafter, draft), match="no approval chain")
    d.default_chain()
    refused(PermissionDenied, lambda: approval.submit(d.head, draft, signer=d.leader), match="Only the drafter")
    refused(ValidationError, lambda: approval.submit(d.drafter, draft), match="Choose the leader who will sign")
    refused(ValidationError, lambda: approval.submit(d.drafter, draft, signer=d.reviewer), match="not a leader")
    UnitHead.objects.all().delete()
    refused(ValidationError, lambda: approval.submit(d.drafter, draft, signer=d.leader), match="No head is set for Phòng Tổng hợp")
    approval.set_unit_head(d.admin, d.room, d.head)
    approval.submit(d.drafter, draft, signer=d.leader)
    refused(ValidationError, lambda: approval.submit(d.drafter, draft, signer=d.leader), match="already being approved")


def test_edits_are_refused_when_not_holding_the_draft_or_when_they_change_nothing(d):
    d.default_chain()
    draft = d.draft()
    approval.submit(d.drafter, draft, signer=d.leader)
    refused(PermissionDenied, lambda: approval.edit_draft(d.drafter, draft, changes={"notes": "x"}), match="not yours")
    refused(ValidationError, lambda: approval.edit_draft(d.head, draft, changes={}), match="Nothing was changed")
    refused(ValidationError, lambda: approval.edit_draft(d.head, draft, changes={"confidentiality": 2}), match="cannot be changed")
    refused(ValidationError, lambda: approval.edit_draft(d.head, draft, changes={"signer_name": "Hà Minh Phó"}), match="cannot be changed")
    refused(ValidationError, lambda: approval.edit_draft(d.head, draft, changes={"subject": "  "}), match="subject")
    approval.return_draft(d.head, draft, comment="Sửa lại")
    refused(PermissionDenied, lambda: approval.edit_draft(d.head, draft, changes={"notes": "x"}), match="with its drafter")


def test_signing_and_issuing_wait_for_the_chain(d):
    draft = d.draft(text=None)  # a paper draft: signing asks nothing of its file
    # No chain in the agency: drafts are free of approval, as before chains existed.
    approval.sign_check(d.leader, draft)
    approval.issue_check(d.clerk, draft)
    d.default_chain()
    # Once there is one, an older draft not yet submitted may be neither signed nor issued.
    with pytest.raises(ValidationError, match="submits it for approval first"):
        approval.sign_check(d.leader, draft)
    refused(ValidationError, lambda: documents.issue_outgoing(d.clerk, draft), match="submits it for approval first")
    approval.submit(d.drafter, draft, signer=d.leader)
    with pytest.raises(ValidationError, match="awaits Lê Văn Trưởng"):
        approval.sign_check(d.leader, draft)
    approval.approve(d.head, draft, version=1)
    with pytest.raises(ValidationError, match="awaits Văn phòng"):
        approval.sign_check(d.leader, draft)
    approval.approve(d.reviewer, draft, version=1)
    refused(ValidationError, lambda: documents.issue_outgoing(d.clerk, draft), match="awaits Trần Quốc Khánh")
    approval.approve(d.leader, draft, version=1)
    assert documents.issue_outgoing(d.clerk, draft).status == "issued"
    refused(ValidationError, lambda: approval.approve(d.leader, draft, version=1), match="Only an outgoing draft not yet issued")


def test_the_chosen_signer_becomes_the_drafts_signer(d):
    d.default_chain()
    draft = d.draft()
    approval.submit(d.drafter, draft, signer=d.leader)
    draft.refresh_from_db()
    assert (draft.signer_name, draft.signer_position) == ("Trần Quốc Khánh", "Phó Bí thư")
    assert DraftVersion.objects.get(document=draft).metadata["signer_name"] == "Trần Quốc Khánh"
    other = d.draft(signer_name="Hà Minh Phó")
    refused(ValidationError, lambda: approval.submit(d.drafter, other, signer=d.leader), match="names Hà Minh Phó as its signer")


def test_a_new_chain_does_not_move_a_draft_already_submitted(d):
    d.default_chain()
    draft = d.draft()
    approval.submit(d.drafter, draft, signer=d.leader)
    approval.save_chain(d.admin, d.agency, doc_type="", steps=[StepSpec("signing_leader", person=d.other_leader)])
    assert [s.role for s in ApprovalStep.objects.filter(approval__document=draft).order_by("position")] == [
        "unit_head", "office", "signing_leader"]
