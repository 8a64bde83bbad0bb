"""An agency administrator adds a day off to the working calendar in the browser, sees it listed,
and sees bad dates refused with a clear message (English interface)."""

import pytest

from tests.e2e.conftest import screenshot
from tests.e2e.test_admin_pages import _sign_in_admin
from tests.workflow.conftest import plain_working_day
from vanphong.workflow.models import CalendarChange


@pytest.mark.django_db(transaction=True)
def test_administrator_adds_a_day_off_and_bad_dates_are_refused(page, admin_a):
    day = plain_working_day()
    _sign_in_admin(page, admin_a)
    page.get_by_role("navigation", name="Điều hướng chính").get_by_role("link", name="Lịch làm việc và thời hạn").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Lịch làm việc năm ")
    assert page.get_by_role("cell", name="Mùng 1 Tết Âm lịch").count() == 1
    screenshot(page, "working-calendar-vi")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Calendar and deadlines").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Working calendar ")
    assert page.get_by_role("cell", name="Lunar New Year's Day").count() == 1

    page.get_by_label("Date").fill("31/02/2027")
    page.get_by_label("Reason").fill("Extra Tết day (Notice 12/TB-BNV)")
    page.get_by_role("button", name="Save the change").click()
    assert page.locator(".field.has-error .error").inner_text() == "Enter the date as dd/mm/yyyy, for example 02/01/2026."

    page.get_by_label("Date").fill("02/01/2021")
    page.get_by_role("button", name="Save the change").click()
    assert page.locator(".field.has-error .error").inner_text().startswith("02/01/2021 is in the past. Days before today cannot be changed")
    assert not CalendarChange.objects.exists()

    page.get_by_label("Date").fill(f"{day:%d/%m/%Y}")
    page.get_by_label("Reason").fill("Extra Tết day (Notice 12/TB-BNV)")
    page.get_by_label("a day off: no deadline falls on it").check()
    page.get_by_role("button", name="Save the change").click()
    page.wait_for_url(f"**/workflow/calendar/?year={day.year}")
    assert page.get_by_role("status").inner_text().strip() == f"{day:%d/%m/%Y} is now a day off: Extra Tết day (Notice 12/TB-BNV)."
    row = page.get_by_role("row").filter(has_text="Extra Tết day (Notice 12/TB-BNV)")
    assert row.get_by_role("cell").nth(0).inner_text() == f"{day:%d/%m/%Y}"
    assert "Day off added by the agency" in row.inner_text()
    assert CalendarChange.objects.get().day == day
    screenshot(page, "working-calendar-en")

    page.get_by_role("link", name="Default deadlines").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Default deadlines"
    screenshot(page, "default-deadlines-en")
