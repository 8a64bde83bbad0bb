"""The paper-document endpoints: upload a scan, follow its recognition, read the proposal."""


import pytest
from django.test import Client

from tests.api.conftest import PREFIX, token_of
from tests.documents.scans import scanned_decision
from tests.factories import make_person
from vanphong.documents import ocr_services
from vanphong.documents.models import OcrJob

pytestmark = pytest.mark.django_db


def _upload(client, token, path, language="en"):
    with open(path, "rb") as handle:
        return client.post(f"{PREFIX}/scans", {"scan": handle}, headers={"Authorization": f"Bearer {token}", "Accept-Language": language})


def test_scan_upload_progress_and_proposal(agency_a, tmp_path):
    clerk = make_person(agency_a, "vanthu.api", "Phan Thị Lụa", roles=["clerk"])
    token = token_of(clerk)
    client = Client()
    accepted = _upload(client, token, scanned_decision(tmp_path / "quyet-dinh.png"))
    assert accepted.status_code == 202, accepted.content
    body = accepted.json()
    assert body["status"] == "queued" and body["progress"] == 0 and body["proposal"] is None and body["filename"] == "quyet-dinh.png"
    ocr_services.run_job(body["id"])
    done = client.get(f"{PREFIX}/scans/{body['id']}", headers={"Authorization": f"Bearer {token}"}).json()
    assert done["status"] == "done" and done["progress"] == 100 and done["page_count"] == 1
    assert done["proposal"] == {"doc_type": "QĐ", "code_number": "123", "code_notation": "QĐ-UBND", "issued_date": "2026-03-15",
                                "issuing_agency_id": None, "issuing_agency_name": "Ủy ban nhân dân tỉnh Bắc Ninh",
                                "subject": "Về việc điều động cán bộ công chức"}


def test_scan_refused_in_the_callers_language_and_nothing_kept(agency_a, tmp_path):
    clerk = make_person(agency_a, "vanthu.api2", "Phan Thị Lụa", roles=["clerk"])
    fake = tmp_path / "ban-quet.pdf"
    fake.write_bytes(b"MZ\x90\x00" + b"\x00" * 300)
    refused = _upload(Client(), token_of(clerk), fake, language="vi")
    assert refused.status_code == 422
    assert "chương trình Windows" in refused.json()["detail"][0]["message"] and OcrJob.objects.count() == 0


def test_only_clerks_upload_and_only_their_agency_reads(agency_a, agency_b, tmp_path):
    specialist = make_person(agency_a, "cv.api", "Chuyên Viên", roles=["specialist"])
    scan = scanned_decision(tmp_path / "qd.png")
    assert _upload(Client(), token_of(specialist), scan).status_code == 403
    clerk = make_person(agency_a, "vanthu.api3", "Phan Thị Lụa", roles=["clerk"])
    job_id = _upload(Client(), token_of(clerk), scan).json()["id"]
    clerk_b = make_person(agency_b, "vanthu.b.api", "Văn Thư B", roles=["clerk"], clearance=3)
    for person in (clerk_b, specialist):
        response = Client().get(f"{PREFIX}/scans/{job_id}", headers={"Authorization": f"Bearer {token_of(person)}"})
        assert response.status_code == 404
