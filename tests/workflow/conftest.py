import datetime as dt

import pytest
from django.utils import timezone, translation

from vanphong.workflow.calendar import AgencyCalendar

_PLAIN = AgencyCalendar(0, 0, {}, {})


def plain_working_day(after_days=20) -> dt.date:
    """A working day of the statutory calendar at least `after_days` from today."""
    return _PLAIN.add_working_days(timezone.localdate() + dt.timedelta(days=after_days), 1)


def saturday(after_days=20) -> dt.date:
    day = timezone.localdate() + dt.timedelta(days=after_days)
    while day.weekday() != 5 or not all(_PLAIN.is_working_day(day - dt.timedelta(days=k)) for k in (1, 2, 3, 4, 5)):
        day += dt.timedelta(days=1)
    return day  # with a plain working week before it



@pytest.fixture
def english():
    """Holiday names and messages as written in the code; tests/workflow/test_calendar.py checks the Vietnamese."""
    with translation.override("en"):
        yield
