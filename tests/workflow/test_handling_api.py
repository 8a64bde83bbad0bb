"""The handling through the REST API: the same rules as the pages, with errors by field."""

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tests.api.conftest import PREFIX, Api, token_of
from tests.documents.test_attachments import make_png
from vanphong.workflow import handling
from vanphong.workflow.models import Assignment, Task

pytestmark = pytest.mark.django_db


def later(days):
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def api(person):
    return Api(Client(), token_of(person))


def test_a_document_is_handled_end_to_end_through_the_api(org):
    document = org.register()
    leader = api(org.leader)
    response = leader.post(f"/documents/{document.pk}/assignments", {"lead_unit_id": org.office.pk, "deadline": later(-1)})
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "deadline"
    response = leader.post(f"/documents/{document.pk}/assignments", {"lead_person_id": org.head.pk, "lead_unit_id": org.office.pk})
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "lead"
    response = leader.post(f"/documents/{document.pk}/assignments", {
        "lead_unit_id": org.office.pk, "coordinator_person_ids": [org.board_specialist.pk], "instructions": "Xử lý gấp."})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["deadline"] == handling.default_deadline(document).isoformat() and body["round"] == 1
    lead = next(t for t in body["tasks"] if t["role"] == "lead")
    assert lead["holder"] == "Văn phòng" and lead["status"] == "open"
    assert leader.post(f"/documents/{document.pk}/assignments", {"lead_unit_id": org.office.pk}).status_code == 422  # one open round

    head = api(org.head)
    assert head.get("/work/counts").json() == {"todo": 1, "overdue": 0, "information": 0, "approval": 0}
    child = head.post(f"/tasks/{lead['id']}/pass-down", {"to_person_id": org.specialist.pk, "instructions": "Em làm."}).json()
    specialist = api(org.specialist)
    assert [item["id"] for item in specialist.get("/work").json()["items"]] == [child["id"]]
    note = specialist.client.post(PREFIX + f"/tasks/{child['id']}/notes", {
        "payload": json.dumps({"text": "Đã có số liệu."}), "files": [SimpleUploadedFile("so-lieu.png", make_png())]},
        headers=specialist._headers())
    assert note.status_code == 201 and note.json()["kind"] == "note" and len(note.json()["attachment_ids"]) == 1
    bad = specialist.client.post(PREFIX + f"/tasks/{child['id']}/notes", {
        "payload": json.dumps({"text": "Tệp giả."}), "files": [SimpleUploadedFile("gia.pdf", b"MZ\x90\x00" + b"\x00" * 200)]},
        headers=specialist._headers())
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "files"
    ask = specialist.post(f"/tasks/{child['id']}/extension-requests", {"deadline": later(40), "reason": "Chờ các huyện."}).json()
    assert [a["id"] for a in leader.get("/extension-requests").json()] == [ask["id"]]
    refusal = leader.post(f"/extension-requests/{ask['id']}/decision", {"grant": False})
    assert refusal.status_code == 422 and refusal.json()["detail"][0]["field"] == "note"
    granted = leader.post(f"/extension-requests/{ask['id']}/decision", {"grant": True}).json()
    assert granted["granted_deadline"] == later(40) and Assignment.objects.get().deadline.isoformat() == later(40)
    done = specialist.post(f"/tasks/{child['id']}/complete", {"result": "Đã báo cáo.", "reply_type": "CV"})
    assert done.status_code == 200 and done.json()["status"] == "completed" and done.json()["reply_document_id"]
    assert [s["kind"] for s in done.json()["steps"]] == ["assigned", "passed", "note", "ext_asked", "ext_granted", "completed"]
    events = specialist.get(f"/documents/{document.pk}/status-events").json()
    assert [(e["code"], e["delivered_at"]) for e in events] == [("03", None), ("04", None), ("05", None), ("06", None)]
    assert [i["id"] for i in specialist.get("/work", {"list": "done"}).json()["items"]] == [child["id"]]
    assert specialist.post(f"/tasks/{child['id']}/complete", {"result": "Lần nữa"}).status_code == 422


def test_completing_a_task_one_does_not_lead_is_refused(org):
    document = org.register()
    assignment = handling.assign(org.leader, document, lead=org.head, coordinators=[org.board_specialist])
    coordinate = assignment.tasks.get(role="coordinate")
    response = api(org.board_specialist).post(f"/tasks/{coordinate.pk}/complete", {"result": "Xong"})
    assert response.status_code == 403 and "Only the lead" in response.json()["detail"]
    assert Task.objects.filter(status="open").count() == 2
