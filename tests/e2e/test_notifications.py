"""Notifications in the browser: a specialist given a document sees the bell's count, the list, opens and marks
read (Vietnamese, then English); chooses English e-mails in My account; once the deadline has passed (the scan
run for the first working day after it) the reminder e-mail reaches the SMTP server and the bell counts again."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot, sign_in
from tests.factories import PASSWORD, make_person, make_unit
from tests.notifications.conftest import smtp  # noqa: F401  (the aiosmtpd server fixture)
from tests.workflow.conftest import plain_working_day
from vanphong.documents import services
from vanphong.notifications import delivery, reminders
from vanphong.notifications.models import Notification
from vanphong.workflow import calendar, handling


def bell(page):
    return page.locator("#bell")


def bell_count(page) -> str:
    counts = page.locator("#bell .bell-count")
    return counts.inner_text().split()[0] if counts.count() else ""


@pytest.mark.django_db(transaction=True)
def test_a_task_given_shows_under_the_bell_and_its_reminder_arrives_by_email(page, agency_a, smtp):  # noqa: F811
    office = make_unit(agency_a, "Văn phòng Tỉnh ủy", "VP")
    clerk = make_person(agency_a, "vanthu.tb", "Nguyễn Thị Nhung", roles=["clerk"], unit=office)
    leader = make_person(agency_a, "lanhdao.tb", "Trần Quốc Khánh", roles=["leader"])
    specialist = make_person(agency_a, "chuyenvien.tb", "Đỗ Thị Chuyên", roles=["specialist"], unit=office,
                             email="chuyenvien.tb@bacninh.gov.vn")
    deadline = plain_working_day(10)
    for subject in ("Về việc báo cáo tình hình chuyển đổi số quý IV", "Về việc chuẩn bị hội nghị tổng kết năm"):
        document = services.register_incoming(clerk, doc_type="CV", subject=subject, issuing_agency_name="UBND tỉnh Nghệ An")
        handling.assign(leader, document, lead=specialist, deadline=deadline, instructions="Đề nghị tham mưu báo cáo.")
    delivery.deliver_all()  # the two "given to you" e-mails, in Vietnamese (the default)
    assert len(smtp.mailbox.to("chuyenvien.tb@bacninh.gov.vn")) == 2

    sign_in(page, "chuyenvien.tb", PASSWORD)
    assert bell_count(page) == "2"
    screenshot(page, "notifications-bell-vi")
    bell(page).click()
    page.wait_for_url("**/notifications/")
    assert page.locator("li.notification.unread").count() == 2
    screenshot(page, "notifications-list-vi")
    # "Mark read" on the newest: one left unread.
    page.locator("li.notification").first.get_by_role("button", name="Đánh dấu đã đọc").click()
    page.wait_for_url("**/notifications/**")
    assert page.locator("li.notification.unread").count() == 1 and bell_count(page) == "1"
    # Opening the other goes to its document's handling panel, and marks it read.
    page.locator("li.notification.unread").get_by_role("button", name="Mở").click()
    page.wait_for_url("**/documents/*/#handling")
    assert page.locator("#bell .bell-count").count() == 0
    assert not Notification.objects.filter(recipient=specialist, read_at__isnull=True).exists()

    # In English; e-mails in English too, chosen on My account.
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    page.goto("/accounts/me/")
    panel = page.get_by_role("region", name="Notifications")
    assert panel.get_by_label("Also send my notifications by e-mail").is_checked()
    panel.get_by_label("Language of my e-mails").select_option("en")
    screenshot(page, "notifications-preferences-en")
    panel.get_by_role("button", name="Save").click()
    page.wait_for_url("**/accounts/me/#notification-settings")
    expect(page.get_by_text("Your notification settings are saved.")).to_be_visible()

    # The clock moves past the deadline: the worker's scan and delivery run.
    first_late_day = calendar.next_working_day(agency_a, deadline)
    assert reminders.scan(today=first_late_day) == 2
    assert delivery.deliver_all().sent == 2
    overdue = [m for m in smtp.mailbox.to("chuyenvien.tb@bacninh.gov.vn") if "Overdue" in str(m["Subject"])]
    assert len(overdue) == 2
    assert {str(m["Subject"]).strip() for m in overdue} == {
        "[VănPhòng] Overdue: Về việc báo cáo tình hình chuyển đổi số quý IV", "[VănPhòng] Overdue: Về việc chuẩn bị hội nghị tổng kết năm"}
    assert "Complete the task or ask for more time." in overdue[0].get_content()
    assert reminders.scan(today=first_late_day) == 0 and delivery.deliver_all().sent == 0  # never twice

    page.goto("/notifications/")
    assert bell_count(page) == "2"
    expect(page.get_by_text("Overdue: Về việc chuẩn bị hội nghị tổng kết năm")).to_be_visible()
    screenshot(page, "notifications-list-en")
    page.get_by_role("button", name="Mark all read").click()
    page.wait_for_url("**/notifications/")
    assert page.locator("li.notification.unread").count() == 0 and page.locator("#bell .bell-count").count() == 0


@pytest.mark.django_db(transaction=True)
def test_an_administrator_sets_the_agencys_reminders(page, agency_a):
    import pyotp

    from vanphong.notifications.models import ReminderPolicy

    admin = make_person(agency_a, "quantri.tb", "Lê Thị Quản Trị", roles=["admin"], totp_secret=pyotp.random_base32(),
                        totp_confirmed=True)
    sign_in(page, "quantri.tb", PASSWORD, code=lambda: pyotp.TOTP(admin.totp_secret).now())
    page.goto("/notifications/")
    expect(page.get_by_text("Chưa có thông báo.", exact=False)).to_be_visible()
    page.get_by_role("link", name="Thiết lập nhắc hạn").click()
    page.wait_for_url("**/notifications/reminders/")
    days_before = page.get_by_label("Nhắc người đang xử lý trước hạn xử lý số ngày làm việc")
    assert days_before.input_value() == "1"
    days_before.fill("25")
    page.get_by_role("button", name="Lưu").click()
    assert page.locator(".field.has-error").count() == 1 and not ReminderPolicy.objects.exists()
    screenshot(page, "notifications-policy-error-vi")
    page.get_by_label("Nhắc người đang xử lý trước hạn xử lý số ngày làm việc").fill("3")
    page.get_by_label("Báo lãnh đạo đã giao việc khi nhiệm vụ vẫn quá hạn sau số ngày làm việc").fill("4")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Đã lưu thiết lập nhắc hạn.")).to_be_visible()
    assert ReminderPolicy.objects.filter(agency=agency_a, days_before=3, escalation_days=4).exists()
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.get_by_label("Tell the leader who assigned it when a task is still overdue after this many working days").input_value() == "4"
    screenshot(page, "notifications-policy-en")


@pytest.mark.django_db(transaction=True)
def test_the_bell_refreshes_itself_every_minute(page, agency_a):
    clerk = make_person(agency_a, "vanthu.chuong", "Nguyễn Thị Nhung", roles=["clerk"])
    leader = make_person(agency_a, "lanhdao.chuong", "Trần Quốc Khánh", roles=["leader"])
    specialist = make_person(agency_a, "chuyenvien.chuong", "Đỗ Thị Chuyên", roles=["specialist"])
    page.clock.install()
    sign_in(page, "chuyenvien.chuong", PASSWORD)
    page.goto("/documents/incoming/")
    assert page.locator("#bell .bell-count").count() == 0
    document = services.register_incoming(clerk, doc_type="CV", subject="Về việc rà soát số liệu", issuing_agency_name="Sở Nội vụ")
    handling.assign(leader, document, lead=specialist, deadline=plain_working_day(10))
    page.clock.run_for(61_000)
    page.locator("#bell .bell-count").wait_for()
    assert bell_count(page) == "1" and page.url.endswith("/documents/incoming/")  # the page itself was not reloaded
