"""The handling pages: the panel on the document page, the Assign form, each assignee action, My work
with its counts, and who reaches which page."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.conftest import signed_in
from tests.documents.test_attachments import make_png
from tests.factories import make_person
from vanphong.workflow import handling
from vanphong.workflow.models import Assignment, ExtensionRequest, StatusEvent, Step, Task

pytestmark = pytest.mark.django_db


def later(days):
    return timezone.localdate() + dt.timedelta(days=days)


@pytest.fixture
def as_(client):
    def sign_in(person):
        client.logout()
        client.cookies["vanphong_language"] = "en"
        return signed_in(client, person)

    return sign_in


def text(response) -> str:
    return " ".join(response.content.decode().split())


def test_a_leader_assigns_from_the_document_page(org, as_):
    document = org.register()
    client = as_(org.leader)
    page = text(client.get(f"/documents/{document.pk}/"))
    assert "Not assigned yet." in page and f'action="/workflow/documents/{document.pk}/assign/"' in page
    assert f'value="{handling.default_deadline(document):%d/%m/%Y}"' in page  # pre-filled
    response = client.post(f"/workflow/documents/{document.pk}/assign/", {
        "lead": f"unit:{org.office.pk}", "coordinators": [f"person:{org.board_specialist.pk}"], "informed": [f"unit:{org.board.pk}"],
        "deadline": f"{later(7):%d/%m/%Y}", "instructions": "Văn phòng chủ trì, báo cáo trước hạn."})
    assert response.status_code == 302 and response["Location"] == f"/documents/{document.pk}/#handling"
    assignment = Assignment.objects.get()
    assert assignment.deadline == later(7) and assignment.tasks.count() == 3
    page = text(client.get(f"/documents/{document.pk}/"))
    assert "Round 1" in page and "Văn phòng chủ trì, báo cáo trước hạn." in page and "Assigned by a leader" in page
    assert 'action="/workflow/documents/' not in page  # no second round while this one is open


def test_the_assign_form_shows_the_services_refusal(org, as_):
    document = org.register()
    client = as_(org.leader)
    response = client.post(f"/workflow/documents/{document.pk}/assign/", {
        "lead": f"person:{org.head.pk}", "deadline": f"{later(-1):%d/%m/%Y}"})
    assert response.status_code == 200 and "is before today" in text(response) and not Assignment.objects.exists()
    response = client.post(f"/workflow/documents/{document.pk}/assign/", {
        "lead": f"person:{org.head.pk}", "coordinators": [f"person:{org.head.pk}"], "deadline": f"{later(3):%d/%m/%Y}"})
    assert "is named more than once" in text(response) and not Assignment.objects.exists()


def test_only_leaders_get_the_assign_form(org, as_):
    document = org.register()
    client = as_(org.head)
    assert "/assign/" not in text(client.get(f"/documents/{document.pk}/"))
    assert client.get(f"/workflow/documents/{document.pk}/assign/").status_code == 403
    response = client.post(f"/workflow/documents/{document.pk}/assign/", {"lead": f"person:{org.head.pk}", "deadline": f"{later(3):%d/%m/%Y}"})
    assert response.status_code == 403 and not Assignment.objects.exists()


def test_the_holder_passes_down_notes_asks_for_time_and_completes(org, as_):
    document = org.register()
    lead = handling.assign(org.leader, document, lead=org.office, deadline=later(5)).tasks.get()
    client = as_(org.head)
    page = text(client.get(f"/documents/{document.pk}/"))
    for url in ("pass-down", "note", "more-time", "complete", "return"):
        assert f"/workflow/tasks/{lead.pk}/{url}/" in page, url
    form = text(client.get(f"/workflow/tasks/{lead.pk}/pass-down/"))
    assert "Đỗ Thị Chuyên" in form and "Phòng Tổng hợp" in form and "Phạm Văn Tổ" not in form  # only the Office's tree
    response = client.post(f"/workflow/tasks/{lead.pk}/pass-down/", {"to": f"person:{org.specialist.pk}", "instructions": "Em xử lý."})
    assert response.status_code == 302
    child = Task.objects.get(parent=lead)
    client = as_(org.specialist)
    response = client.post(f"/workflow/tasks/{child.pk}/note/", {
        "text": "Đã liên hệ các huyện.", "files": [SimpleUploadedFile("bang-so-lieu.png", make_png())]})
    assert response.status_code == 302 and Step.objects.get(kind="note").attachments.get().filename == "bang-so-lieu.png"
    response = client.post(f"/workflow/tasks/{child.pk}/more-time/", {"deadline": f"{later(9):%d/%m/%Y}", "reason": "Chờ số liệu."})
    assert response.status_code == 302 and ExtensionRequest.objects.get().status == "pending"
    client = as_(org.leader)
    assert "To decide" in text(client.get("/workflow/work/"))
    ask = ExtensionRequest.objects.get()
    response = client.post(f"/workflow/more-time/{ask.pk}/decide/", {"decision": "grant", "deadline": f"{later(8):%d/%m/%Y}"})
    assert response.status_code == 302 and Task.objects.get(pk=child.pk).deadline == later(8)
    client = as_(org.specialist)
    response = client.post(f"/workflow/tasks/{child.pk}/complete/", {"result": "Đã có báo cáo.", "reply_type": "CV", "reply_subject": ""})
    assert response.status_code == 302
    assert Assignment.objects.get().status == "completed" and Assignment.objects.get().reply_document is not None
    page = text(client.get(f"/documents/{document.pk}/"))
    for words in ("Passed down", "Progress note", "More time asked for", "More time granted", "Completed", "Đã có báo cáo.",
                  "bang-so-lieu.png", "Reply draft"):
        assert words in page, words
    assert list(StatusEvent.objects.values_list("code", flat=True).order_by("code")) == ["03", "04", "05", "06"]


def test_the_action_forms_show_refusals_and_change_nothing(org, as_):
    document = org.register()
    assignment = handling.assign(org.leader, document, lead=org.head, coordinators=[org.board_specialist], deadline=later(5))
    lead, coordinate = assignment.tasks.get(role="lead"), assignment.tasks.get(role="coordinate")
    client = as_(org.head)
    response = client.post(f"/workflow/tasks/{lead.pk}/more-time/", {"deadline": f"{later(2):%d/%m/%Y}", "reason": "x"})
    assert response.status_code == 200 and "after the current deadline" in text(response)
    response = client.post(f"/workflow/tasks/{lead.pk}/return/", {"reason": ""})
    assert response.status_code == 200 and not Step.objects.filter(kind="returned").exists()
    client = as_(org.board_specialist)
    assert client.get(f"/workflow/tasks/{coordinate.pk}/complete/").status_code == 200
    response = client.post(f"/workflow/tasks/{coordinate.pk}/complete/", {"result": "x"})
    assert response.status_code == 403 and Assignment.objects.get().status == "open"  # not the lead
    assert client.post(f"/workflow/tasks/{lead.pk}/note/", {"text": "x"}).status_code == 403  # not theirs


def test_my_work_lists_and_counts_in_a_fixed_number_of_queries(org, as_, django_assert_max_num_queries):
    for n in range(25):
        document = org.register(subject=f"Văn bản số {n}", urgency=n % 4)
        lead, informed = (org.office, org.head) if n % 2 else (org.head, org.office)
        assignment = handling.assign(org.leader, document, lead=lead, informed=[informed] if n % 5 == 0 else [], deadline=later(n + 1))
        if n % 3 == 0:
            Task.objects.filter(assignment=assignment).update(deadline=later(-10))
    client = as_(org.head)
    most = 11  # the page, the navigation's counts and the notification bell's unread count (one indexed count)
    client.get("/workflow/work/")
    with django_assert_max_num_queries(most):
        page = text(client.get("/workflow/work/"))
    assert "Văn bản số 24" in page and "Trần Quốc Khánh" in page  # given by the leader
    assert "working days late" in page
    with django_assert_max_num_queries(most):
        overdue = text(client.get("/workflow/work/?tab=overdue"))
    assert overdue.count("<tr class=\"late\">") == 9
    nav = overdue.split('aria-label="Main navigation"')[1].split("</nav>")[0]
    assert ">25<" in nav and ">9<" in nav and ">5<" in nav  # to do, overdue, for information
    with django_assert_max_num_queries(most):
        assert "Văn bản số 0" in text(client.get("/workflow/work/?tab=information"))


def test_another_agency_reaches_no_handling_page(org, as_, agency_b):
    document = org.register(subject="Việc riêng của A")
    assignment = handling.assign(org.leader, document, lead=org.head, informed=[org.specialist], deadline=later(5))
    lead, inform = assignment.tasks.get(role="lead"), assignment.tasks.get(role="inform")
    ask = handling.request_extension(org.head, lead, deadline=later(9), reason="Lý do riêng của A")
    leader_b = make_person(agency_b, "lanhdao.b", "Lãnh Đạo B", roles=["leader", "admin"], clearance=3)
    client = as_(leader_b)
    before = (Task.objects.values_list("status", "deadline").order_by("pk").first(), Step.objects.count())
    for url in [f"/workflow/documents/{document.pk}/assign/", f"/workflow/more-time/{ask.pk}/decide/"] + [
            f"/workflow/tasks/{lead.pk}/{action}/" for action in ("pass-down", "note", "return", "more-time", "complete")]:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"lead": f"person:{org.head.pk}", "deadline": f"{later(5):%d/%m/%Y}", "text": "x", "reason": "x",
                                 "result": "x", "decision": "grant", "to": f"person:{org.specialist.pk}"}).status_code == 404, url
    assert client.post(f"/workflow/tasks/{inform.pk}/read/").status_code == 404
    body = text(client.get("/workflow/work/")) + text(client.get("/workflow/work/?tab=decide"))
    assert "Việc riêng của A" not in body and "Lý do riêng của A" not in body
    assert (Task.objects.values_list("status", "deadline").order_by("pk").first(), Step.objects.count()) == before
    assert Assignment.objects.count() == 1 and ExtensionRequest.objects.get().status == "pending"
    # In the same agency: someone who holds no part gets 403, and a leader other than the assigner cannot decide.
    client = as_(org.board_specialist)
    assert client.get(f"/workflow/tasks/{lead.pk}/note/").status_code == 403
    assert client.post(f"/workflow/tasks/{inform.pk}/read/").status_code == 403
    other_leader = make_person(org.agency, "lanhdao2.xl", "Lãnh Đạo Hai", roles=["leader"])
    assert as_(other_leader).post(f"/workflow/more-time/{ask.pk}/decide/", {"decision": "grant"}).status_code == 403
    assert ExtensionRequest.objects.get().status == "pending"


def test_a_confidential_documents_handling_stays_with_its_readers(org, as_):
    secret = org.register(subject="Kế hoạch mật", confidentiality=1, distribution=[org.leader])
    lead = handling.assign(org.leader, secret, lead=org.head, deadline=later(5)).tasks.get()
    uncleared = make_person(org.agency, "thuong.xl", "Người Thường", unit=org.office)
    client = as_(uncleared)
    assert client.get(f"/documents/{secret.pk}/").status_code == 404
    assert client.get(f"/workflow/tasks/{lead.pk}/note/").status_code == 404
    assert "Kế hoạch mật" not in text(client.get("/workflow/work/"))
    assert as_(org.head).get(f"/workflow/tasks/{lead.pk}/note/").status_code == 200


def test_people_informed_mark_it_read_from_my_work(org, as_):
    document = org.register(subject="Thông báo để biết")
    inform = handling.assign(org.leader, document, lead=org.head, informed=[org.specialist]).tasks.get(role="inform")
    client = as_(org.specialist)
    assert "Thông báo để biết" in text(client.get("/workflow/work/?tab=information"))
    response = client.post(f"/workflow/tasks/{inform.pk}/read/", {"next": "work"})
    assert response.status_code == 302 and response["Location"] == "/workflow/work/?tab=information"
    assert Task.objects.get(pk=inform.pk).status == "done"
    assert "Thông báo để biết" in text(client.get("/workflow/work/?tab=done"))
