"""Shared fixtures. Settings are read from the environment, so it is set before Django starts."""

import os
import tempfile

os.environ.setdefault("VANPHONG_DATA_DIR", tempfile.mkdtemp(prefix="vanphong-test-"))
os.environ["VANPHONG_STATIC_MANIFEST"] = "0"

import pytest  # noqa: E402

from tests.factories import make_agency, make_person  # noqa: E402


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path):
    settings.VANPHONG_FILES_DIR = tmp_path / "files"


@pytest.fixture
def agency_a(db):
    return make_agency("000.00.00.T27", "Tỉnh ủy Bắc Ninh", "TU Bắc Ninh", notation_code="TU", notation_scheme="party")


@pytest.fixture
def agency_b(db):
    return make_agency("000.00.00.H40", "Ủy ban nhân dân tỉnh Nghệ An", "UBND Nghệ An", notation_code="UBND")


@pytest.fixture
def admin_a(agency_a):
    return make_person(agency_a, "quantri.a", "Lê Thị Quản Trị", roles=["admin"], clearance=1)


@pytest.fixture
def admin_b(agency_b):
    return make_person(agency_b, "quantri.b", "Trần Văn Bình", roles=["admin"], clearance=1)


@pytest.fixture
def clerk_a(agency_a):
    return make_person(agency_a, "vanthu.a", "Nguyễn Thị Văn Thư", roles=["clerk"])


@pytest.fixture
def operator(agency_a):
    return make_person(agency_a, "vanhanh", "Phạm Văn Vận Hành", roles=["admin"], is_superuser=True, clearance=3)


def signed_in(client, person):
    """A test client with a complete session: signed in and past the second factor."""
    from vanphong.accounts.services import SESSION_SECOND_FACTOR_OK

    client.force_login(person)
    session = client.session
    session[SESSION_SECOND_FACTOR_OK] = True
    session.save()
    return client
