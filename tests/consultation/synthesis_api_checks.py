"""Isolation checks of the consultation's results endpoints, registered in tests/api/test_api_isolation.py (which imports
this module): only the drafting body's staff read the results and download the report; a respondent and another agency
get 404, as if the consultation did not exist."""

from __future__ import annotations

from tests.api.test_api_isolation import covers
from tests.consultation.api_checks import consulted

OUTSIDERS = ("admin_b", "person_b", "clerk_a")  # another agency, and the invited respondent of agency A


@covers("GET", "/consultations/{consultation_id}/results")
def check_consultation_results(w, as_):
    consultation, _mine, _theirs = consulted(w)
    for name in OUTSIDERS:
        response = as_(getattr(w, name)).get(f"/consultations/{consultation.pk}/results")
        assert response.status_code == 404 and "riêng của văn thư" not in response.content.decode(), name
    body = as_(w.person_a).get(f"/consultations/{consultation.pk}/results").json()
    assert [g["representative"] for s in body["sections"] for g in s["groups"]] == ["Ý kiến riêng của văn thư A"]
    assert body["total"]["invited"] == 2


@covers("GET", "/consultations/{consultation_id}/report.docx")
def check_consultation_report_docx(w, as_):
    consultation, _mine, _theirs = consulted(w)
    for name in OUTSIDERS:
        assert as_(getattr(w, name)).get(f"/consultations/{consultation.pk}/report.docx").status_code == 404, name
    response = as_(w.person_a).get(f"/consultations/{consultation.pk}/report.docx")
    assert response.status_code == 200 and b"word/document.xml" in response.content


@covers("GET", "/consultations/{consultation_id}/report.xlsx")
def check_consultation_report_xlsx(w, as_):
    consultation, _mine, _theirs = consulted(w)
    for name in OUTSIDERS:
        assert as_(getattr(w, name)).get(f"/consultations/{consultation.pk}/report.xlsx").status_code == 404, name
    response = as_(w.admin_a).get(f"/consultations/{consultation.pk}/report.xlsx")  # administrators of the drafting agency too
    assert response.status_code == 200 and b"xl/workbook.xml" in response.content
