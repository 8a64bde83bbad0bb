"""A leader's dashboard and the lists of their units' work in the browser, in Vietnamese and in English: the totals,
the two charts (drawn on the server, no script), the tables by month, unit and person, a filter by quarter, the
report downloaded as Word and Excel, and a person's list reached from their row."""

import datetime as dt

import pyotp
import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import PASSWORD, make_person, make_unit
from vanphong.documents import services
from vanphong.workflow import completed_work, handling
from vanphong.workflow.models import Task

ZONE = timezone.get_current_timezone()


def vi(msgid: str) -> str:
    """The Vietnamese interface's words (the catalogue's, once the translations are merged)."""
    with translation.override("vi"):
        return translation.gettext(msgid)


def _work(agency):
    office = make_unit(agency, "Văn phòng Tỉnh ủy", "VP")
    rooms = [make_unit(agency, name, short, parent=office) for name, short in (("Phòng Tổng hợp", "TH"), ("Phòng Hành chính", "HC"))]
    board = make_unit(agency, "Ban Tổ chức", "TC")
    clerk = make_person(agency, "vanthu.db", "Nguyễn Thị Nhung", roles=["clerk"], unit=office)
    leader = make_person(agency, "lanhdao.db", "Trần Quốc Khánh", roles=["leader"], totp_secret=pyotp.random_base32(),
                         totp_confirmed=True, position="Chánh Văn phòng", clearance=1)
    people = [make_person(agency, f"cv{n}.db", name, roles=["specialist"], unit=unit) for n, (name, unit) in enumerate(
        [("Đỗ Thị Chuyên", rooms[0]), ("Phạm Văn Hùng", rooms[0]), ("Lê Thu Hà", rooms[1]), ("Vũ Minh Tuấn", board)])]
    today = timezone.localdate()
    for n in range(24):
        received = max(dt.date(today.year, 1, 2), today - dt.timedelta(days=13 * n + 2))
        document = services.register_incoming(clerk, doc_type=["CV", "KH", "QĐ"][n % 3], subject=f"Công văn số {n + 1} về cải cách hành chính",
                                              issuing_agency_name="UBND tỉnh Bắc Ninh")
        assignment = handling.assign(leader, document, lead=people[n % 4], deadline=today + dt.timedelta(days=20))
        task = assignment.tasks.get()
        deadline = received + dt.timedelta(days=7)
        created = dt.datetime.combine(received, dt.time(9), tzinfo=ZONE)
        if n % 5 == 4:  # still open
            Task.objects.filter(pk=task.pk).update(created_at=created, deadline=deadline if n % 2 else today + dt.timedelta(days=5))
        else:
            closed = created + dt.timedelta(days=3 if n % 3 else 10)
            Task.objects.filter(pk=task.pk).update(created_at=created, deadline=deadline, status="done", closed_at=min(closed, timezone.now()))
    completed_work.rebuild(agency.pk)  # history written past the services: its summary counted from the tasks
    return leader, people


@pytest.mark.django_db(transaction=True)
def test_a_leader_reads_the_dashboard_and_the_lists_in_both_languages(page, agency_a):
    leader, people = _work(agency_a)
    totp = pyotp.TOTP(leader.totp_secret)
    sign_in(page, "lanhdao.db", PASSWORD, code=totp.now)
    page.wait_for_url("**/")
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name=vi("Work of my units")).click()
    page.wait_for_url("**/workflow/units/")
    year = timezone.localdate().year
    with translation.override("vi"):
        period_label = translation.gettext("Year %(year)s") % {"year": year}
    assert page.locator("h2.period-title").inner_text().startswith(period_label)
    assert page.get_by_role("list", name=vi("Totals")).locator("li").count() == 7
    assert page.locator("svg.chart").count() == 2
    expect(page.get_by_role("img", name=vi("Work received each month, by outcome (figures in the table below)"))).to_be_visible()
    totals = page.locator("table.figures").nth(1).locator("tr.total td")  # the units' table: every piece of work once
    assert totals.first.inner_text() == "24"
    screenshot(page, "dashboard-vi")

    with page.expect_download() as download:
        page.get_by_role("link", name=vi("Report (Word)")).click()
    assert download.value.suggested_filename.endswith(".docx")
    with page.expect_download() as download:
        page.get_by_role("link", name=vi("Report (Excel)")).click()
    assert download.value.suggested_filename.endswith(".xlsx")

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Work of my units", level=1)).to_be_visible()
    page.get_by_label("Period", exact=True).select_option("quarter")
    page.get_by_label("Quarter", exact=True).select_option("1")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    assert page.locator("h2.period-title").inner_text().startswith(f"Quarter I of {year}")
    page.get_by_label("Period", exact=True).select_option("year")
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    screenshot(page, "dashboard-en")

    page.locator("table.figures").nth(2).get_by_role("link", name="Đỗ Thị Chuyên").click()
    page.wait_for_url("**/workflow/units/work/**")
    assert page.get_by_label("Person", exact=True).input_value() == str(people[0].pk)
    page.get_by_role("link", name="Done").click()
    rows = page.locator("table.work tbody tr")
    assert rows.count() >= 1 and "Công văn số" in rows.first.inner_text()
    screenshot(page, "unit-work-en")
    page.get_by_role("button", name="Tiếng Việt").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name=vi("Work of my units"), level=1)).to_be_visible()
    screenshot(page, "unit-work-vi")
