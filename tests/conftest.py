"""Shared fixtures. `make test` points VANPHONG_DATA_DIR at a fresh temporary folder."""

import pytest

from tests import instances
from tests.factories import make_agency, make_person


@pytest.fixture(autouse=True)
def _files_in_tmp(settings, tmp_path):
    settings.VANPHONG_FILES_DIR = tmp_path / "files"
    settings.VANPHONG_PREVIEWS_DIR = tmp_path / "previews"


@pytest.fixture(autouse=True)
def _reference_rows(request):
    """Rows that migrations create (roles). Transactional tests empty the tables after each test,
    so they are put back for every test that uses the database."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker and marker.kwargs.get("transaction")) or {"transactional_db", "live_server"} & set(request.fixturenames)
    if not (marker or {"db", "transactional_db", "live_server"} & set(request.fixturenames)):
        return
    request.getfixturevalue("transactional_db" if transactional else "db")
    from vanphong.org.models import Role

    Role.objects.bulk_create([Role(code=code) for code in Role.Code.values], ignore_conflicts=True)


@pytest.fixture(autouse=True)
def _fresh_workflow_calendars():
    """Each process caches agencies' calendars by agency id; a rolled-back test must not leave
    its agency's calendar to the next test that reuses the id."""
    from vanphong.workflow.calendar import clear_cache

    clear_cache()
    yield
    clear_cache()


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """A SQLite database migrated once per session by `vanphong migrate` (tests.instances)."""
    return instances.migrate_new_database(tmp_path_factory.mktemp("migrated-instance"))


@pytest.fixture(scope="session")
def new_instance(migrated_database):
    """`new_instance(folder)`: a new instance's data folder, its database already migrated (a copy of the session's)."""
    return lambda folder: instances.copy_database(migrated_database, folder)


@pytest.fixture
def english_shell(monkeypatch):
    """The `vanphong` command speaks the shell's language (LANG): these tests read its English."""
    monkeypatch.setenv("LANG", "C.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)


# The certificate authority's people (tests/pki, tests/signing).
@pytest.fixture
def ca_operator(agency_a):
    return make_person(agency_a, "chungthu.a", "Đặng Văn Chứng Thư", roles=["ca_operator"])


@pytest.fixture
def official(agency_a):
    return make_person(agency_a, "lanhdao.a", "Nguyễn Thị Ánh Tuyết", roles=["leader"], position="Phó Chánh Văn phòng")


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
