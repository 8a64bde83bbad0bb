import datetime as dt
from dataclasses import dataclass

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


# ---- an agency's organisation for the handling tests -------------------------------------------------

@dataclass
class Office:
    """Agency A: a leader; the Office (VP) with its head, and below it the General Affairs room (TH) with a
    specialist; a separate Organisation Board (TC) with its own specialist; a clerk who registers."""

    agency: object
    clerk: object
    leader: object
    office: object
    room: object
    board: object
    head: object
    specialist: object
    board_specialist: object

    def register(self, subject="Công văn về việc báo cáo tình hình", **fields):
        from vanphong.documents import services

        fields.setdefault("doc_type", "CV")
        fields.setdefault("issuing_agency_name", "UBND tỉnh Nghệ An")
        return services.register_incoming(self.clerk, subject=subject, **fields)


@pytest.fixture
def org(agency_a) -> Office:
    from tests.factories import make_person, make_unit

    office = make_unit(agency_a, "Văn phòng", "VP")
    room = make_unit(agency_a, "Phòng Tổng hợp", "TH", parent=office)
    board = make_unit(agency_a, "Ban Tổ chức", "TC")
    return Office(
        agency=agency_a,
        clerk=make_person(agency_a, "vanthu.xl", "Nguyễn Thị Văn Thư", roles=["clerk"], unit=office, clearance=1),
        leader=make_person(agency_a, "lanhdao.xl", "Trần Quốc Khánh", roles=["leader"], clearance=1),
        office=office, room=room, board=board,
        head=make_person(agency_a, "chanhvp.xl", "Lê Văn Chánh", roles=["specialist"], unit=office, clearance=1),
        specialist=make_person(agency_a, "chuyenvien.xl", "Đỗ Thị Chuyên", roles=["specialist"], unit=room),
        board_specialist=make_person(agency_a, "tochuc.xl", "Phạm Văn Tổ", roles=["specialist"], unit=board),
    )


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The fixtures create many people; what is tested here is the workflow, not the hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
