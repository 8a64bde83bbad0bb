"""The handling services: every rule and refusal, nothing written on a refusal, audit records, and the
status events for the exchange recorded exactly once."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from tests.documents.test_attachments import make_png
from tests.factories import make_person
from vanphong.core.errors import PermissionDenied, ValidationError
from vanphong.core.models import AuditRecord
from vanphong.documents import services as documents
from vanphong.documents.attachments import store
from vanphong.documents.models import Attachment, Distribution, Document
from vanphong.documents.selectors import documents_visible_to
from vanphong.workflow import calendar, handling
from vanphong.workflow.models import Assignment, DeadlineRule, ExtensionRequest, StatusEvent, Step, Task

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TABLES = (Assignment, Task, Step, StatusEvent, ExtensionRequest, AuditRecord, Distribution, Document, Attachment)


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


def codes(document):
    return list(StatusEvent.objects.filter(document=document).order_by("code").values_list("code", flat=True))


def later(days):
    return timezone.localdate() + dt.timedelta(days=days)


# ---- assigning --------------------------------------------------------------------------------------------


def test_registration_records_status_03_once_in_its_own_transaction(org):
    document = org.register()
    event = StatusEvent.objects.get(document=document)
    assert (event.code, event.actor, event.delivered_at, event.agency) == ("03", org.clerk, None, org.agency)
    with pytest.raises(RuntimeError), transaction.atomic():
        org.register(subject="Văn bản bị hủy khi vào sổ")
        raise RuntimeError  # the registration rolls back: so does its event
    assert not Document.objects.filter(subject="Văn bản bị hủy khi vào sổ").exists()
    assert StatusEvent.objects.count() == 1


def test_a_leader_assigns_with_lead_coordinators_informed_deadline_and_instructions(org):
    document = org.register()
    deadline = later(9)
    assignment = handling.assign(org.leader, document, lead=org.office, coordinators=[org.board, org.specialist],
                                 informed=[org.board_specialist], deadline=deadline, instructions="Giao Văn phòng chủ trì tham mưu.")
    assert (assignment.round, assignment.status, assignment.deadline, assignment.assigned_by) == (1, "open", deadline, org.leader)
    parts = {(t.role, t.unit_id, t.person_id, t.deadline, t.status, t.given_by_id) for t in assignment.tasks.all()}
    assert parts == {("lead", org.office.pk, None, deadline, "open", org.leader.pk),
                     ("coordinate", org.board.pk, None, deadline, "open", org.leader.pk),
                     ("coordinate", None, org.specialist.pk, deadline, "open", org.leader.pk),
                     ("inform", None, org.board_specialist.pk, deadline, "open", org.leader.pk)}
    step = Step.objects.get()
    assert (step.kind, step.actor, step.text, step.deadline) == ("assigned", org.leader, "Giao Văn phòng chủ trì tham mưu.", deadline)
    assert codes(document) == ["03", "04"]
    record = AuditRecord.objects.get(action="workflow.assignment.created")
    assert record.actor == org.leader and record.data["lead"] == f"unit:{org.office.pk}" and record.data["deadline"] == deadline.isoformat()


def test_the_default_deadline_is_the_documents_due_date_else_the_agencys_rule(org):
    today = timezone.localdate()
    DeadlineRule.objects.create(agency=org.agency, doc_type="CV", working_days=4)
    plain = handling.assign(org.leader, org.register(), lead=org.head)
    assert plain.deadline == calendar.add_working_days(org.agency, today, 4)
    due = handling.assign(org.leader, org.register(subject="Có hạn riêng", due_date=later(30)), lead=org.head)
    assert due.deadline == later(30)
    flash = handling.assign(org.leader, org.register(subject="Hỏa tốc", urgency=3), lead=org.head)
    assert flash.deadline == calendar.add_working_days(org.agency, today, 1)  # urgency caps the type's rule
    past_due = org.register(subject="Hạn đã qua", due_date=today - dt.timedelta(days=3))
    assert handling.default_deadline(past_due) == today  # never before today


def test_bad_assignments_are_refused_and_change_nothing(org, agency_b):
    document = org.register()
    stranger = make_person(agency_b, "nguoi.b", "Người Cơ Quan Khác", roles=["specialist"])
    refused(ValidationError, lambda: handling.assign(org.leader, document, lead=stranger), match="works for another agency")
    refused(ValidationError, lambda: handling.assign(org.leader, document, lead=org.head, coordinators=[stranger]),
            match="Người Cơ Quan Khác works for another agency")
    refused(ValidationError, lambda: handling.assign(org.leader, document, lead=org.head, deadline=later(-1)), match="is before today")
    refused(ValidationError, lambda: handling.assign(org.leader, document, lead=org.head, coordinators=[org.head]),
            match="is named more than once")
    refused(ValidationError, lambda: handling.assign(org.leader, document, lead=None), match="Choose the lead")
    refused(PermissionDenied, lambda: handling.assign(org.head, document, lead=org.specialist), match="Only a leader")
    leader_b = make_person(agency_b, "lanhdao.b", "Lãnh Đạo B", roles=["leader"], clearance=3)
    refused(PermissionDenied, lambda: handling.assign(leader_b, document, lead=org.head))
    org.specialist.is_active = False
    org.specialist.save()
    refused(ValidationError, lambda: handling.assign(org.leader, document, lead=org.specialist), match="is disabled")
    draft = documents.create_outgoing_draft(org.head, doc_type="TB", subject="Dự thảo")
    refused(ValidationError, lambda: handling.assign(org.leader, draft, lead=org.head), match="Only a registered incoming document")


def test_one_open_round_at_a_time(org):
    document = org.register()
    handling.assign(org.leader, document, lead=org.head)
    refused(ValidationError, lambda: handling.assign(org.leader, document, lead=org.office), match="already being handled (round 1")


def test_a_confidential_document_goes_to_cleared_people_who_join_its_distribution(org):
    secret = org.register(subject="Kế hoạch mật", confidentiality=1)
    assert not documents_visible_to(org.head).filter(pk=secret.pk).exists()
    refused(PermissionDenied, lambda: handling.assign(org.leader, secret, lead=org.head), match="You may not read this document")
    Distribution.objects.create(document=secret, person=org.leader)
    refused(ValidationError, lambda: handling.assign(org.leader, secret, lead=org.office), match="not to a unit")
    refused(ValidationError, lambda: handling.assign(org.leader, secret, lead=org.head, informed=[org.specialist]),
            match="Đỗ Thị Chuyên is not cleared to read Confidential (Mật) documents")
    handling.assign(org.leader, secret, lead=org.head)
    assert documents_visible_to(org.head).filter(pk=secret.pk).exists()


# ---- passing down, returning ------------------------------------------------------------------------------------


@pytest.fixture
def round_(org):
    """A document assigned to the Office as lead, the Organisation Board coordinating, the specialist informed."""
    document = org.register()
    assignment = handling.assign(org.leader, document, lead=org.office, coordinators=[org.board], informed=[org.specialist],
                                 deadline=later(10))
    return assignment, {t.role: t for t in assignment.tasks.all()}


def test_a_unit_member_passes_the_units_task_down_its_tree(org, round_):
    assignment, tasks = round_
    child = handling.pass_down(org.head, tasks["lead"], to=org.specialist, instructions="Em soạn báo cáo.")
    assert (child.role, child.person, child.parent_id, child.root_id, child.deadline, child.given_by) == (
        "lead", org.specialist, tasks["lead"].pk, tasks["lead"].pk, later(10), org.head)
    tasks["lead"].refresh_from_db()
    assert tasks["lead"].status == "passed" and tasks["lead"].closed_at is not None
    assert Step.objects.get(kind="passed").task == child
    assert codes(assignment.document) == ["03", "04", "05"]
    assert AuditRecord.objects.filter(action="workflow.task.passed_down", actor=org.head).count() == 1
    grandchild_target = make_person(org.agency, "cv2.xl", "Vũ Văn Hai", unit=org.room)
    handling.pass_down(org.specialist, child, to=grandchild_target)
    assert codes(assignment.document) == ["03", "04", "05"]  # once


def test_passing_down_is_refused_outside_the_holders_tree(org, round_, agency_b):
    _assignment, tasks = round_
    stranger = make_person(agency_b, "nguoi.b", "Người Cơ Quan Khác")
    refused(ValidationError, lambda: handling.pass_down(org.head, tasks["lead"], to=org.board_specialist), match="is not in Văn phòng or below")
    refused(ValidationError, lambda: handling.pass_down(org.head, tasks["lead"], to=org.board), match="is not in Văn phòng or below")
    refused(ValidationError, lambda: handling.pass_down(org.head, tasks["lead"], to=org.office), match="is not in Văn phòng or below")
    refused(ValidationError, lambda: handling.pass_down(org.head, tasks["lead"], to=stranger), match="works for another agency")
    refused(PermissionDenied, lambda: handling.pass_down(org.board_specialist, tasks["lead"], to=org.specialist), match="is not yours")
    refused(PermissionDenied, lambda: handling.pass_down(stranger, tasks["lead"], to=org.specialist), match="another agency")
    refused(PermissionDenied, lambda: handling.pass_down(org.specialist, tasks["lead"], to=org.specialist))  # the room is below the unit


def test_returning_goes_one_step_up_the_chain(org, round_):
    assignment, tasks = round_
    child = handling.pass_down(org.head, tasks["lead"], to=org.specialist)
    refused(ValidationError, lambda: handling.return_task(org.specialist, child, reason="  "), match="Say why you return it")
    handling.return_task(org.specialist, child, reason="Không thuộc chức năng của phòng.")
    child.refresh_from_db()
    tasks["lead"].refresh_from_db()
    assert child.status == "returned" and tasks["lead"].status == "open" and tasks["lead"].closed_at is None
    assignment.refresh_from_db()
    assert assignment.status == "open"
    assert Step.objects.get(kind="returned").text == "Không thuộc chức năng của phòng."


def test_a_lead_returned_to_the_leader_ends_the_round_which_is_assigned_again(org, round_):
    assignment, tasks = round_
    handling.return_task(org.head, tasks["lead"], reason="Đề nghị giao Ban Tổ chức chủ trì.")
    assignment.refresh_from_db()
    assert (assignment.status, assignment.awaiting_reassignment) == ("returned", True)
    assert set(Task.objects.values_list("role", "status")) == {("lead", "returned"), ("coordinate", "closed"), ("inform", "closed")}
    refused(ValidationError, lambda: handling.add_note(org.board_specialist, tasks["coordinate"], text="x"), match="already returned")
    second = handling.assign(org.leader, assignment.document, lead=org.board)
    assignment.refresh_from_db()
    assert second.round == 2 and not assignment.awaiting_reassignment
    assert codes(assignment.document) == ["03", "04"]


# ---- more time -------------------------------------------------------------------------------------------------------


def test_more_time_is_asked_for_and_granted_to_the_whole_chain(org, round_):
    assignment, tasks = round_
    child = handling.pass_down(org.head, tasks["lead"], to=org.specialist)
    refused(ValidationError, lambda: handling.request_extension(org.specialist, child, deadline=later(10), reason="x"),
            match="after the current deadline")
    refused(ValidationError, lambda: handling.request_extension(org.specialist, child, deadline=later(20), reason=""), match="Say why")
    refused(PermissionDenied, lambda: handling.request_extension(org.specialist, tasks["inform"], deadline=later(20), reason="x"),
            match="for information only")
    ask = handling.request_extension(org.specialist, child, deadline=later(20), reason="Chờ số liệu của các huyện.")
    refused(ValidationError, lambda: handling.request_extension(org.specialist, child, deadline=later(25), reason="x"),
            match="already asked")
    refused(PermissionDenied, lambda: handling.decide_extension(org.head, ask, grant=True), match="Only the leader who assigned")
    other_leader = make_person(org.agency, "lanhdao2.xl", "Lãnh Đạo Khác", roles=["leader"])
    refused(PermissionDenied, lambda: handling.decide_extension(other_leader, ask, grant=True), match="Only the leader who assigned")
    refused(ValidationError, lambda: handling.decide_extension(org.leader, ask, grant=True, deadline=later(-2)), match="before today")
    handling.decide_extension(org.leader, ask, grant=True, deadline=later(15), note="Đồng ý, không gia hạn thêm.")
    assert set(Task.objects.filter(role="lead").values_list("deadline", flat=True)) == {later(15)}
    assert Task.objects.get(role="coordinate").deadline == later(10)  # another chain
    assignment.refresh_from_db()
    ask.refresh_from_db()
    assert assignment.deadline == later(15) and (ask.status, ask.granted_deadline, ask.decided_by) == ("granted", later(15), org.leader)
    refused(ValidationError, lambda: handling.decide_extension(org.leader, ask, grant=False, note="x"), match="already been decided")
    assert AuditRecord.objects.filter(action="workflow.extension.decided", data__granted=True).count() == 1


def test_more_time_is_refused_with_a_reason_and_never_by_the_one_who_asked(org):
    document = org.register()
    assignment = handling.assign(org.leader, document, lead=org.leader, deadline=later(5))
    own = handling.request_extension(org.leader, assignment.tasks.get(), deadline=later(9), reason="Bận họp.")
    refused(PermissionDenied, lambda: handling.decide_extension(org.leader, own, grant=True), match="your own request")
    other = handling.assign(org.leader, org.register(subject="Khác"), lead=org.head, deadline=later(5))
    ask = handling.request_extension(org.head, other.tasks.get(), deadline=later(9), reason="Thiếu người.")
    refused(ValidationError, lambda: handling.decide_extension(org.leader, ask, grant=False), match="Say why you refuse")
    handling.decide_extension(org.leader, ask, grant=False, note="Việc gấp, cần đúng hạn.")
    ask.refresh_from_db()
    assert ask.status == "refused" and Task.objects.get(assignment=other).deadline == later(5)
    assert Step.objects.get(kind="ext_refused").text == "Việc gấp, cần đúng hạn."


# ---- notes, completion, reading ---------------------------------------------------------------------------------


def test_notes_carry_files_checked_by_content_and_mark_the_document_processing(org, round_):
    assignment, tasks = round_
    scan = store(SimpleUploadedFile("so-lieu.png", make_png()))
    step = handling.add_note(org.head, tasks["lead"], text="Đã tổng hợp số liệu quý I.", files=[scan])
    attachment = step.attachments.get()
    assert attachment.document == assignment.document and attachment.filename == "so-lieu.png"
    assert codes(assignment.document) == ["03", "04", "05"]
    handling.add_note(org.board_specialist, tasks["coordinate"], text="Ban Tổ chức góp ý.")
    assert codes(assignment.document) == ["03", "04", "05"]
    refused(ValidationError, lambda: handling.add_note(org.head, tasks["lead"], text=""), match="Write what was done")
    refused(ValidationError, lambda: handling.add_note(org.head, tasks["lead"], text="x", finished=True), match="completing the assignment")
    refused(PermissionDenied, lambda: handling.add_note(org.specialist, tasks["inform"], text="x"), match="for information only")


def test_a_coordinator_finishes_their_part(org, round_):
    _assignment, tasks = round_
    handling.add_note(org.board_specialist, tasks["coordinate"], text="Phần của Ban Tổ chức đã xong.", finished=True)
    tasks["coordinate"].refresh_from_db()
    assert tasks["coordinate"].status == "done" and Step.objects.filter(kind="contributed").count() == 1
    refused(ValidationError, lambda: handling.add_note(org.board_specialist, tasks["coordinate"], text="x"), match="no longer open")


def test_only_the_lead_completes_and_only_once(org, round_):
    assignment, tasks = round_
    refused(PermissionDenied, lambda: handling.complete(org.board_specialist, tasks["coordinate"], result="x"), match="Only the lead")
    refused(PermissionDenied, lambda: handling.complete(org.board_specialist, tasks["lead"], result="x"), match="is not yours")
    refused(ValidationError, lambda: handling.complete(org.head, tasks["lead"], result=" "), match="Write the result")
    refused(ValidationError, lambda: handling.complete(org.head, tasks["lead"], result="x", reply_type="XX"), match="type of the reply")
    handling.complete(org.head, tasks["lead"], result="Đã báo cáo UBND tỉnh.", reply_type="CV")
    assignment.refresh_from_db()
    reply = assignment.reply_document
    assert (assignment.status, assignment.result, assignment.completed_by) == ("completed", "Đã báo cáo UBND tỉnh.", org.head)
    assert (reply.status, reply.direction, reply.doc_type, reply.created_by) == ("draft", "out", "CV", org.head)
    assert reply.subject.startswith("Reply to arrival no. 1: Công văn về việc báo cáo")
    assert set(Task.objects.values_list("role", "status")) == {("lead", "done"), ("coordinate", "done"), ("inform", "open")}
    assert codes(assignment.document) == ["03", "04", "05", "06"]  # 05 too: it was processed
    refused(ValidationError, lambda: handling.complete(org.head, tasks["lead"], result="lần nữa"), match="already completed")
    # People informed still mark it read after the round is over.
    handling.acknowledge(org.specialist, tasks["inform"])
    assert Task.objects.get(role="inform").status == "done"
    refused(ValidationError, lambda: handling.acknowledge(org.specialist, tasks["inform"]), match="no longer open")
    assert StatusEvent.objects.filter(document=assignment.document).count() == 4
    actions = set(AuditRecord.objects.values_list("action", flat=True))
    assert {"workflow.assignment.created", "workflow.assignment.completed", "workflow.task.read", "documents.outgoing.drafted"} <= actions


def test_a_second_round_records_no_second_status(org):
    document = org.register()
    first = handling.assign(org.leader, document, lead=org.head)
    handling.complete(org.head, first.tasks.get(), result="Xong.")
    second = handling.assign(org.leader, document, lead=org.head, instructions="Theo dõi tiếp.")
    handling.add_note(org.head, second.tasks.get(), text="Tiếp tục theo dõi.")
    handling.complete(org.head, second.tasks.get(), result="Xong hẳn.")
    assert codes(document) == ["03", "04", "05", "06"]
