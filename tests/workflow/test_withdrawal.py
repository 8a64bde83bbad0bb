"""The handling of a document its sender withdrew (recalled or replaced), ended from outside the workflow
(handling.end_handling): the open round and every open task end WITHDRAWN, leave every list and count, are
neither done nor late; the people concerned are notified; it is audited; no status event is recorded. After it,
every action on the document is refused with a clear message and changes nothing: service, page and API."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from tests.api.conftest import Api, token_of
from tests.conftest import signed_in
from tests.factories import make_person
from tests.workflow.test_handling import codes, refused
from vanphong.core.errors import PermissionDenied, ValidationError
from vanphong.core.models import AuditRecord
from vanphong.documents import services as documents
from vanphong.notifications.models import Notification
from vanphong.notifications.texts import words
from vanphong.workflow import handling
from vanphong.workflow import handling_selectors as selectors
from vanphong.workflow.models import Assignment, Step, Task, Withdrawal

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

RECALLED = "The sender recalled this document"


def later(days):
    return timezone.localdate() + dt.timedelta(days=days)


@pytest.fixture
def handled(org):
    """A document in its round: the Office leads and its head passed it down to the specialist, who asked for more
    time; the Organisation Board's specialist coordinates; the head is kept informed of it too."""
    document = org.register(subject="Kế hoạch kiểm tra năm 2027")
    assignment = handling.assign(org.leader, document, lead=org.office, coordinators=[org.board_specialist], informed=[org.head],
                                 deadline=later(10), instructions="Văn phòng chủ trì.")
    lead = assignment.tasks.get(role="lead")
    child = handling.pass_down(org.head, lead, to=org.specialist)
    ask = handling.request_extension(org.specialist, child, deadline=later(20), reason="Chờ số liệu.")
    return document, assignment, child, ask


def test_ending_the_handling_withdraws_the_round_and_every_open_task(org, handled):
    document, assignment, child, ask = handled
    events_before = codes(document)
    withdrawal = handling.end_handling(org.clerk, document, kind="recalled", reason="Ban hành nhầm đối tượng")

    assignment.refresh_from_db()
    assert (assignment.status, assignment.closed_at is not None) == ("withdrawn", True)
    assert (withdrawal.kind, withdrawal.reason, withdrawal.assignment, withdrawal.withdrawn_by) == (
        "recalled", "Ban hành nhầm đối tượng", assignment, org.clerk)
    statuses = dict(Task.objects.filter(document=document).values_list("pk", "status"))
    assert statuses[child.pk] == "withdrawn" and statuses[child.parent_id] == "passed"  # passed down before: stays so
    assert {t.role: t.status for t in Task.objects.filter(document=document, parent__isnull=True).exclude(role="lead")} == {
        "coordinate": "withdrawn", "inform": "withdrawn"}
    ask.refresh_from_db()
    assert ask.status == "withdrawn"
    step = Step.objects.get(assignment=assignment, kind="withdrawn")
    assert (step.actor, step.text) == (org.clerk, "Ban hành nhầm đối tượng")
    assert codes(document) == events_before  # nothing more for the sender: it hears its own answer (15)
    record = AuditRecord.objects.get(action="workflow.handling.ended")
    assert record.actor == org.clerk and record.data["kind"] == "recalled" and record.data["assignment"] == assignment.pk
    assert len(record.data["tasks"]) == 3

    # Out of every list and count, shown as withdrawn among what is done.
    for person in (org.specialist, org.board_specialist, org.head):
        assert selectors.work_counts(person) == selectors.WorkCounts()
        for name in ("todo", "overdue", "information"):
            assert not selectors.work_list(person, name).exists()
    assert [t.get_status_display() for t in selectors.work_list(org.specialist, "done")] == ["Ended: document withdrawn"]
    assert len(selectors.decisions_for(org.leader)) == 0  # the request for more time no longer waits
    state = selectors.document_handling(org.leader, document)
    assert state.withdrawal == withdrawal and not state.can_assign and not state.my_decisions


def test_the_assignees_and_the_assigning_leader_are_notified_not_the_clerk(org, handled):
    document, assignment, child, _ask = handled
    handling.end_handling(org.clerk, document, kind="replaced", reason="Thay bằng văn bản số 12")
    ended = Notification.objects.filter(kind="handling_ended")
    assert sorted(ended.values_list("recipient_id", flat=True)) == sorted([org.specialist.pk, org.board_specialist.pk, org.head.pk,
                                                                           org.leader.pk])
    note = ended.get(recipient=org.specialist)
    said = words(note.kind, note.params)
    assert said.title == "Replaced by the sender, handling ended: Kế hoạch kiểm tra năm 2027"
    assert said.detail == "Thay bằng văn bản số 12"
    assert note.link == f"/documents/{document.pk}/#handling"


def test_every_action_on_a_withdrawn_document_is_refused_and_changes_nothing(org, handled):
    document, assignment, child, ask = handled
    coordinate = Task.objects.get(document=document, role="coordinate")
    inform = Task.objects.get(document=document, role="inform")
    handling.end_handling(org.clerk, document, kind="recalled", reason="Nhầm")
    refused(ValidationError, lambda: handling.assign(org.leader, document, lead=org.head), match=RECALLED)
    refused(ValidationError, lambda: handling.pass_down(org.specialist, child, to=org.specialist), match=RECALLED)
    refused(ValidationError, lambda: handling.return_task(org.specialist, child, reason="Trả lại"), match=RECALLED)
    refused(ValidationError, lambda: handling.request_extension(org.board_specialist, coordinate, deadline=later(30), reason="Thêm"),
            match=RECALLED)
    refused(ValidationError, lambda: handling.decide_extension(org.leader, ask, grant=True), match=RECALLED)
    refused(ValidationError, lambda: handling.add_note(org.board_specialist, coordinate, text="Đã làm"), match=RECALLED)
    refused(ValidationError, lambda: handling.complete(org.specialist, child, result="Xong"), match=RECALLED)
    refused(ValidationError, lambda: handling.acknowledge(org.head, inform), match=RECALLED)
    refused(ValidationError, lambda: handling.end_handling(org.clerk, document, kind="replaced"), match=RECALLED)


def test_a_replaced_document_never_assigned_cannot_be_assigned(org):
    document = org.register()
    withdrawal = handling.end_handling(org.leader, document, kind="replaced", reason="")
    assert withdrawal.assignment is None and not Assignment.objects.exists()
    refused(ValidationError, lambda: handling.assign(org.leader, document, lead=org.head),
            match="The sender replaced this document")


def test_a_returned_round_no_longer_waits_to_be_assigned_again(org):
    document = org.register()
    assignment = handling.assign(org.leader, document, lead=org.head)
    handling.return_task(org.head, assignment.tasks.get(), reason="Không thuộc thẩm quyền")
    assert len(selectors.decisions_for(org.leader)) == 1
    handling.end_handling(org.clerk, document, kind="recalled")
    assert len(selectors.decisions_for(org.leader)) == 0
    assignment.refresh_from_db()
    assert assignment.status == "returned"  # it had ended already: it stays as it ended


def test_bad_endings_are_refused_and_change_nothing(org, agency_b):
    document = org.register()
    refused(PermissionDenied, lambda: handling.end_handling(org.specialist, document, kind="recalled"), match="Only a clerk or a leader")
    clerk_b = make_person(agency_b, "vanthu.b", "Văn Thư B", roles=["clerk"])
    refused(PermissionDenied, lambda: handling.end_handling(clerk_b, document, kind="recalled"))
    refused(ValidationError, lambda: handling.end_handling(org.clerk, document, kind="lost"), match="recalled or replaced")
    refused(ValidationError, lambda: handling.end_handling(org.clerk, document, kind="recalled", reason="x" * 5001),
            match="Keep it under")
    draft = documents.create_outgoing_draft(org.head, doc_type="TB", subject="Dự thảo")
    refused(ValidationError, lambda: handling.end_handling(org.clerk, draft, kind="recalled"),
            match="Only the handling of a registered incoming document")
    assert not Withdrawal.objects.exists()


# ---- pages and API -------------------------------------------------------------------------------------------


def text(response) -> str:
    return " ".join(response.content.decode().split())


@pytest.fixture
def as_(client):
    def sign_in(person):
        client.logout()
        client.cookies["vanphong_language"] = "en"
        return signed_in(client, person)

    return sign_in


def test_the_pages_show_the_ended_round_and_refuse_every_action(org, handled, as_):
    document, assignment, child, ask = handled
    handling.end_handling(org.clerk, document, kind="recalled", reason="Ban hành nhầm đối tượng")
    client = as_(org.leader)
    page = text(client.get(f"/documents/{document.pk}/"))
    assert "Handling ended: the sender recalled this document." in page
    assert "Ban hành nhầm đối tượng" in page and "Nguyễn Thị Văn Thư" in page
    assert "Ended: document withdrawn" in page and f"/workflow/documents/{document.pk}/assign/" not in page
    response = client.get(f"/workflow/documents/{document.pk}/assign/", follow=True)
    assert RECALLED in text(response) and response.redirect_chain[-1][0].endswith(f"/documents/{document.pk}/#handling")
    before = Assignment.objects.count()
    response = client.post(f"/workflow/documents/{document.pk}/assign/", {"lead": f"person:{org.head.pk}",
                                                                         "deadline": f"{later(3):%d/%m/%Y}"})
    assert response.status_code == 200 and RECALLED in text(response) and Assignment.objects.count() == before
    response = client.get(f"/workflow/more-time/{ask.pk}/decide/", follow=True)
    assert RECALLED in text(response)
    response = client.post(f"/workflow/more-time/{ask.pk}/decide/", {"decision": "grant", "deadline": f"{later(25):%d/%m/%Y}"})
    assert response.status_code == 200 and RECALLED in text(response)

    client = as_(org.specialist)
    page = text(client.get(f"/documents/{document.pk}/"))
    assert f"/workflow/tasks/{child.pk}/" not in page  # no action left
    for action in ("pass-down", "note", "more-time", "complete", "return"):
        response = client.get(f"/workflow/tasks/{child.pk}/{action}/", follow=True)
        assert RECALLED in text(response), action
    response = client.post(f"/workflow/tasks/{child.pk}/return/", {"reason": "Trả lại"})
    assert response.status_code == 200 and RECALLED in text(response)
    response = client.post(f"/workflow/tasks/{child.pk}/pass-down/", {"to": f"person:{org.board_specialist.pk}"})
    assert response.status_code == 200  # the form refuses first: no one below is a choice any more, nothing changed
    assert not Task.objects.filter(document=document, status="open").exists()
    assert Task.objects.get(pk=child.pk).status == "withdrawn"


def test_the_api_refuses_every_action_and_shows_the_round_withdrawn(org, handled):
    document, assignment, child, ask = handled
    handling.end_handling(org.clerk, document, kind="replaced", reason="Thay thế")
    leader, specialist = Api(Client(), token_of(org.leader)), Api(Client(), token_of(org.specialist))
    response = leader.post(f"/documents/{document.pk}/assignments", {"lead_person_id": org.head.pk})
    assert response.status_code == 422 and "The sender replaced this document" in response.content.decode()
    response = leader.post(f"/extension-requests/{ask.pk}/decision", {"grant": True})
    assert response.status_code == 422 and "The sender replaced this document" in response.content.decode()
    for path, payload in ((f"/tasks/{child.pk}/pass-down", {"to_person_id": org.specialist.pk}),
                          (f"/tasks/{child.pk}/return", {"reason": "Trả lại"}),
                          (f"/tasks/{child.pk}/extension-requests", {"deadline": later(30).isoformat(), "reason": "Thêm"}),
                          (f"/tasks/{child.pk}/complete", {"result": "Xong"})):
        response = specialist.post(path, payload)
        assert response.status_code == 422 and "The sender replaced this document" in response.content.decode(), path
    rounds = leader.get(f"/documents/{document.pk}/assignments").json()
    assert [r["status"] for r in rounds] == ["withdrawn"]
    assert {t["status"] for t in rounds[0]["tasks"]} == {"passed", "withdrawn"}
    assert rounds[0]["steps"][-1]["kind"] == "withdrawn"
    assert specialist.get("/work/counts").json() == {"todo": 0, "overdue": 0, "information": 0, "approval": 0}
    assert Task.objects.filter(document=document, status="withdrawn").count() == 3
