"""One incoming document handled end to end in the browser (English interface): the clerk registers it, the
leader assigns it to the Office, the Office's head passes it down to a specialist, who adds a note and completes
it; the document page shows the timeline and the status events 03, 04, 05 and 06. Then a task whose deadline
has passed shows in the overdue count (its row is moved into the past with an UPDATE, as time would), the
worker's reminder scan sends its e-mail to a real SMTP server, and the leader's dashboard counts all of it."""

import datetime as dt

import pyotp
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import PASSWORD, make_person, make_unit
from tests.notifications.conftest import smtp  # noqa: F401  (the aiosmtpd server fixture)
from vanphong.documents import services
from vanphong.documents.models import Document
from vanphong.notifications import delivery, reminders
from vanphong.workflow import handling
from vanphong.workflow.models import StatusEvent, Task


def sign_in_en(page, username, code=None):
    """After the first person chose English, the sign-in page is in English too (the language cookie stays)."""
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if code is not None:
        page.get_by_label("Six-digit code").fill(code())
        page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/")


def in_english(page):
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/**")


def nav_link(page, name):
    return page.get_by_role("navigation", name="Main navigation").get_by_role("link", name=name)


@pytest.mark.django_db(transaction=True)
def test_a_document_is_assigned_passed_down_noted_and_completed(page, agency_a, smtp):  # noqa: F811
    office = make_unit(agency_a, "Văn phòng Tỉnh ủy", "VP")
    room = make_unit(agency_a, "Phòng Tổng hợp", "TH", parent=office)
    make_person(agency_a, "vanthu.gv", "Nguyễn Thị Nhung", roles=["clerk"], unit=office)
    leader = make_person(agency_a, "lanhdao.gv", "Trần Quốc Khánh", roles=["leader"], totp_secret=pyotp.random_base32(),
                         totp_confirmed=True)
    head = make_person(agency_a, "chanhvp.gv", "Lê Văn Chánh", roles=["specialist"], unit=office)
    specialist = make_person(agency_a, "chuyenvien.gv", "Đỗ Thị Chuyên", roles=["specialist"], unit=room,
                             email="chuyenvien.gv@nghean.gov.vn")
    # Another round already waits for the leader's decision on more time.
    earlier = services.register_incoming(make_person(agency_a, "vanthu2.gv", "Bùi Thị Mai", roles=["clerk"]), doc_type="KH",
                                         subject="Kế hoạch kiểm tra năm", issuing_agency_name="Ban Tổ chức Trung ương")
    waiting = handling.assign(leader, earlier, lead=head, deadline=timezone.localdate() + dt.timedelta(days=3)).tasks.get()
    handling.request_extension(head, waiting, deadline=timezone.localdate() + dt.timedelta(days=10), reason="Chờ số liệu của các huyện.")

    # The clerk registers the document.
    sign_in(page, "vanthu.gv", PASSWORD)
    in_english(page)
    page.goto("/documents/incoming/new/")
    page.get_by_label("Document type").select_option(value="CV")
    page.get_by_label("Issuing agency (written out)").fill("UBND tỉnh Nghệ An")
    page.get_by_label("Subject").fill("Về việc báo cáo tình hình chuyển đổi số quý I")
    page.get_by_role("button", name="Register").click()
    page.wait_for_url("**/documents/*/")
    document = Document.objects.get(subject__startswith="Về việc báo cáo tình hình")
    expect(page.get_by_role("region", name="Handling").get_by_text("Not assigned yet.")).to_be_visible()
    sign_out(page)

    # The leader assigns it to the Office, with the deadline pre-filled.
    sign_in_en(page, "lanhdao.gv", code=lambda: pyotp.TOTP(leader.totp_secret).now())
    page.goto(f"/documents/{document.pk}/")
    expected = handling.default_deadline(document)
    assert page.get_by_label("Deadline").input_value() == f"{expected:%d/%m/%Y}"
    page.get_by_label("Lead (chủ trì)").select_option(label="Văn phòng Tỉnh ủy")
    page.get_by_label("Instructions (ý kiến chỉ đạo)").fill("Giao Văn phòng chủ trì tham mưu báo cáo.")
    screenshot(page, "workflow-assign-panel-en")
    page.get_by_role("button", name="Assign", exact=True).click()
    page.wait_for_url(f"**/documents/{document.pk}/#handling")
    assert page.get_by_role("status").inner_text().strip() == f"Assigned: due {expected:%d/%m/%Y}."
    nav_link(page, "My work").click()
    page.get_by_role("link", name="To decide").click()
    page.get_by_role("link", name="Decide", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == "More time asked for"
    screenshot(page, "workflow-decide-en")
    page.get_by_label("Refuse").check()
    page.get_by_label("Note").fill("Việc gấp, cần đúng hạn.")
    page.get_by_role("button", name="Record the decision").click()
    assert page.get_by_role("status").inner_text().strip() == "Decision recorded."
    sign_out(page)

    # The Office's head finds it in My work and passes it down.
    sign_in_en(page, "chanhvp.gv")
    my_work = nav_link(page, "My work")
    assert "2" in my_work.inner_text()  # this document and the earlier one
    my_work.click()
    screenshot(page, "workflow-my-work-en")
    page.get_by_role("row").filter(has_text="Về việc báo cáo tình hình").get_by_role("link", name="Arrival no. 2").click()
    page.get_by_role("link", name="Pass down").click()
    page.get_by_label("Pass to").select_option(label="Đỗ Thị Chuyên · Phòng Tổng hợp")
    page.get_by_label("Instructions").fill("Đồng chí Chuyên dự thảo báo cáo.")
    screenshot(page, "workflow-pass-down-en")
    page.get_by_role("button", name="Pass down").click()
    assert page.get_by_role("status").inner_text().strip() == "Passed down."
    sign_out(page)

    # The specialist adds a note and completes it.
    sign_in_en(page, "chuyenvien.gv")
    page.goto(f"/documents/{document.pk}/")
    page.get_by_role("link", name="Ask for more time").click()
    screenshot(page, "workflow-more-time-en")
    page.get_by_role("link", name="Cancel").click()
    page.get_by_role("link", name="Return").click()
    screenshot(page, "workflow-return-en")
    page.get_by_role("link", name="Cancel").click()
    page.get_by_role("link", name="Add a progress note").click()
    page.get_by_label("Progress note").fill("Đã tổng hợp số liệu của 8 huyện.")
    screenshot(page, "workflow-note-en")
    page.get_by_role("button", name="Save the note").click()
    assert page.get_by_role("status").inner_text().strip() == "Note saved."
    page.get_by_role("link", name="Complete", exact=True).click()
    page.get_by_label("Result").fill("Đã trình Thường trực báo cáo quý I.")
    page.get_by_label("Draft a reply").select_option(value="BC")
    screenshot(page, "workflow-complete-en")
    page.get_by_role("button", name="Complete").click()
    assert page.get_by_role("status").inner_text().strip() == "Completed."

    handling_panel = page.get_by_role("region", name="Handling")
    timeline = handling_panel.locator("ol.timeline").inner_text()
    for line in ("Assigned · Trần Quốc Khánh", "Passed down · Lê Văn Chánh → Đỗ Thị Chuyên", "Progress note · Đỗ Thị Chuyên",
                 "Đã tổng hợp số liệu của 8 huyện.", "Completed · Đỗ Thị Chuyên", "Đã trình Thường trực báo cáo quý I."):
        assert line in timeline, line
    events = handling_panel.locator("table.events tbody tr")
    assert [events.nth(i).locator("td").first.inner_text() for i in range(events.count())] == ["03", "04", "05", "06"]
    assert handling_panel.get_by_role("link", name="Reply draft: Reply to arrival no. 2: Về việc báo cáo tình hình chuyển đổi số quý I").count() == 1
    assert list(StatusEvent.objects.filter(document=document).values_list("code", flat=True).order_by("code")) == ["03", "04", "05", "06"]
    screenshot(page, "workflow-document-timeline-en")

    # A task past its deadline: the overdue count appears in the navigation and on My work.
    late = handling.assign(leader, services.register_incoming(make_person(agency_a, "vanthu3.gv", "Hà Thị Lan", roles=["clerk"]),
                                                               doc_type="TB", subject="Thông báo quá hạn", issuing_agency_name="X"),
                           lead=specialist).tasks.get()
    Task.objects.filter(pk=late.pk).update(deadline=timezone.localdate() - dt.timedelta(days=14))
    page.reload()
    overdue = nav_link(page, "My work").locator(".nav-count.bad")
    assert overdue.inner_text().startswith("1")
    nav_link(page, "My work").click()
    page.get_by_role("navigation", name="My work", exact=True).get_by_role("link", name="Overdue").click()
    row = page.locator("table.work tbody tr")
    assert row.count() == 1 and "Thông báo quá hạn" in row.inner_text() and "working days late" in row.inner_text()
    screenshot(page, "workflow-overdue-en")

    # The worker's reminder scan: the overdue task's e-mail reaches the SMTP server, once.
    assert reminders.scan() >= 1
    delivery.deliver_all()

    def overdue_mail():
        return [m for m in smtp.mailbox.to("chuyenvien.gv@nghean.gov.vn")
                if str(m["Subject"]).strip() == "[VănPhòng] Overdue: Thông báo quá hạn"]

    assert len(overdue_mail()) == 1, [str(m["Subject"]) for m in smtp.mailbox.to("chuyenvien.gv@nghean.gov.vn")]
    reminders.scan()
    delivery.deliver_all()
    assert len(overdue_mail()) == 1  # never twice
    sign_out(page)

    # A leader's dashboard counts the three assignments: one completed on time, one open within its deadline
    # (the earlier one), one overdue. (Another leader of the agency: the first one's code of this half-minute is spent.)
    deputy = make_person(agency_a, "pholanhdao.gv", "Hoàng Văn Phó", roles=["leader"], totp_secret=pyotp.random_base32(),
                         totp_confirmed=True)
    sign_in_en(page, "pholanhdao.gv", code=lambda: pyotp.TOTP(deputy.totp_secret).now())
    page.goto("/workflow/units/")
    cards = page.get_by_role("list", name="Totals").locator("li")
    figures = {cards.nth(i).locator(".card-label").inner_text(): cards.nth(i).locator(".card-value").inner_text()
               for i in range(cards.count())}
    assert {label: figures[label] for label in ("Received", "Completed on time", "Completed late", "Open, overdue",
                                                "Open, within deadline")} == {
        "Received": "3", "Completed on time": "1", "Completed late": "0", "Open, overdue": "1", "Open, within deadline": "1"}
    screenshot(page, "workflow-dashboard-after-handling-en")
