import datetime as dt

import pytest
from django.utils import timezone

from tests.consultation.drafts import DRAFT, docx_bytes, upload
from tests.factories import make_person, make_unit


@pytest.fixture
def office_a(agency_a):
    return make_unit(agency_a, "Văn phòng Tỉnh ủy", "VP")


@pytest.fixture
def drafter(agency_a, office_a):
    return make_person(agency_a, "soanthao.a", "Phạm Văn Soạn", roles=["specialist"], unit=office_a)


@pytest.fixture
def organisation_unit(agency_a):
    return make_unit(agency_a, "Ban Tổ chức Tỉnh ủy", "BTC")


@pytest.fixture
def propaganda_unit(agency_a):
    return make_unit(agency_a, "Ban Tuyên giáo Tỉnh ủy", "BTG")


@pytest.fixture
def organiser(agency_a, organisation_unit):
    return make_person(agency_a, "bantochuc.a", "Đỗ Thị Tổ Chức", roles=["specialist"], unit=organisation_unit)


@pytest.fixture
def propagandist(agency_a, propaganda_unit):
    return make_person(agency_a, "tuyengiao.a", "Vũ Văn Tuyên", roles=["specialist"], unit=propaganda_unit)


@pytest.fixture
def clerk_b(agency_b):
    return make_person(agency_b, "vanthu.b", "Hoàng Thị Văn Thư B", roles=["clerk"])


@pytest.fixture
def deadline():
    return timezone.localdate() + dt.timedelta(days=10)


@pytest.fixture
def consultation(drafter, deadline):
    from vanphong.consultation import services

    return services.start_consultation(drafter, title="Dự thảo Nghị quyết về văn bản điện tử", deadline=deadline,
                                       upload=upload(docx_bytes(DRAFT), "du-thao.docx"))


@pytest.fixture
def invited(consultation, drafter, organisation_unit, propaganda_unit, agency_b, organiser, propagandist, clerk_b):
    from vanphong.consultation import services

    made = services.invite(drafter, consultation, units=[organisation_unit, propaganda_unit], agencies=[agency_b])
    return {i.kind + (":" + str(i.unit_id) if i.unit_id else ""): i for i in made} | {"org": made[0], "prop": made[1], "b": made[2]}


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English (the msgids); the Vietnamese catalogue is merged apart."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def client():
    """Pages in English, so that the messages asserted are the msgids (the Vietnamese ones are the catalogue's)."""
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")
