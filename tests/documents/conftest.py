import pytest

from tests.factories import make_person, make_unit


@pytest.fixture
def clerk_doc(agency_a):
    return make_person(agency_a, "vanthu.doc", "Nguyễn Thị Văn Thư", roles=["clerk"], clearance=1)


@pytest.fixture
def office_unit(agency_a):
    return make_unit(agency_a, "Văn phòng", "VP")
