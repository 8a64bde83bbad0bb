"""The calendar and default-deadline pages of an agency administrator."""

import pytest
from django.utils import timezone

from tests.conftest import signed_in
from tests.workflow.conftest import plain_working_day
from vanphong.core.models import AuditRecord
from vanphong.workflow import calendar
from vanphong.workflow.models import CalendarChange, DeadlineRule

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_a):
    client.cookies["vanphong_language"] = "en"
    return signed_in(client, admin_a)


def test_the_calendar_lists_computed_and_added_days(admin_client, agency_a):
    year = timezone.localdate().year + 1
    day = calendar.AgencyCalendar(0, 0, {}, {}).add_working_days(calendar.lunar_new_year(year), 10)
    CalendarChange.objects.create(agency=agency_a, day=day, kind="off", name="Ngày nghỉ riêng của A")
    body = admin_client.get(f"/workflow/calendar/?year={year}").content.decode()
    assert f"Working calendar {year}" in body
    for text in ["Lunar New Year&#x27;s Day", "Hùng Kings&#x27; Commemoration Day", "International Labour Day", "National Day (second day)",
                 "Ngày nghỉ riêng của A", "Day off added by the agency", f"{calendar.lunar_new_year(year):%d/%m/%Y}"]:
        assert text in body, text
    assert f"/workflow/calendar/days/{CalendarChange.objects.get().pk}/remove/" in body


def test_add_and_remove_a_day_off(admin_client, agency_a):
    day = plain_working_day()
    response = admin_client.post("/workflow/calendar/", {"day": f"{day:%d/%m/%Y}", "kind": "off", "name": "Nghỉ bù"})
    assert response.status_code == 302 and response["Location"] == f"/workflow/calendar/?year={day.year}"
    change = CalendarChange.objects.get()
    assert (change.day, change.kind, change.name) == (day, "off", "Nghỉ bù")
    assert not calendar.is_working_day(agency_a, day)
    assert admin_client.post(f"/workflow/calendar/days/{change.pk}/remove/").status_code == 302
    assert not CalendarChange.objects.exists() and calendar.is_working_day(agency_a, day)
    assert AuditRecord.objects.filter(action__startswith="workflow.calendar.").count() == 2


def test_bad_dates_are_refused_on_the_form(admin_client):
    response = admin_client.post("/workflow/calendar/", {"day": "31/02/2027", "kind": "off", "name": "x"})
    assert response.status_code == 200
    assert "Enter the date as dd/mm/yyyy, for example 02/01/2026." in response.content.decode()
    response = admin_client.post("/workflow/calendar/", {"day": "01/01/2021", "kind": "off", "name": "x"})
    assert "01/01/2021 is in the past." in response.content.decode()
    assert not CalendarChange.objects.exists()


def test_years_outside_the_calendar_are_not_found(admin_client):
    for year in ("2020", "2101", "abc"):
        assert admin_client.get(f"/workflow/calendar/?year={year}").status_code == 404


def test_the_deadline_table_shows_and_sets_rules(admin_client, agency_a):
    body = admin_client.get("/workflow/calendar/deadlines/").content.decode()
    assert "Flash (Hỏa tốc)" in body and "No rules yet: the built-in deadlines apply." in body
    response = admin_client.post("/workflow/calendar/deadlines/", {"doc_type": "BC", "urgency": "", "working_days": "15"})
    assert response.status_code == 302
    rule = DeadlineRule.objects.get()
    assert (rule.doc_type, rule.urgency, rule.working_days) == ("BC", None, 15)
    body = admin_client.get("/workflow/calendar/deadlines/").content.decode()
    assert "Report (Báo cáo)" in body and "Any urgency" in body
    response = admin_client.post("/workflow/calendar/deadlines/", {"doc_type": "", "urgency": "3", "working_days": "0"})
    assert response.status_code == 200 and DeadlineRule.objects.count() == 1
    assert admin_client.post(f"/workflow/calendar/deadlines/{rule.pk}/remove/").status_code == 302
    assert not DeadlineRule.objects.exists()


def test_the_navigation_leads_administrators_to_the_calendar(admin_client, client, clerk_a):
    assert 'href="/workflow/calendar/"' in admin_client.get("/").content.decode()
    client.logout()
    signed_in(client, clerk_a)
    assert 'href="/workflow/calendar/"' not in client.get("/").content.decode()
