"""Organisation services: validation, tree moves, permission rules, audit records."""

import pytest

from tests.factories import make_unit
from vanphong.core.errors import PermissionDenied, ValidationError
from vanphong.core.models import AuditRecord
from vanphong.org import services
from vanphong.org.models import Agency, Person, Unit


@pytest.mark.django_db
def test_agency_code_is_validated(operator):
    for bad in ["000.00.00", "00.00.00.G22", "000.00.00.GG2", "000.00.00.G2", "abc", "000-00-00-G22"]:
        with pytest.raises(ValidationError):
            services.create_agency(operator, code=bad, name="X", short_name="X", notation_code="X")
    agency = services.create_agency(operator, code="000.00.12.H53", name="Sở Nội vụ", short_name="SNV", notation_code="SNV")
    assert agency.code == "000.00.12.H53"
    assert AuditRecord.objects.filter(action="org.agency.created", target_id=str(agency.pk)).exists()


@pytest.mark.django_db
def test_duplicate_agency_code_is_refused(operator, agency_a):
    with pytest.raises(ValidationError):
        services.create_agency(operator, code=agency_a.code, name="X", short_name="X", notation_code="X")


@pytest.mark.django_db
def test_only_operator_manages_directory(admin_a):
    with pytest.raises(PermissionDenied):
        services.create_agency(admin_a, code="000.00.00.H01", name="X", short_name="X", notation_code="X")
    assert not Agency.objects.filter(code="000.00.00.H01").exists()


@pytest.mark.django_db
def test_new_agency_with_first_admin(operator):
    agency = services.create_agency(operator, code="000.00.00.H01", name="UBND tỉnh An Giang", short_name="UBND AG",
                                    notation_code="UBND", first_admin={"username": "qt.ag", "full_name": "Võ Văn Quản", "password": "Tam-thoi-2026-xyz"})
    admin = Person.objects.get(username="qt.ag")
    assert admin.agency == agency and admin.has_role("admin") and admin.must_change_password
    unit = services.create_unit(admin, agency, name="Văn phòng")
    assert unit.agency == agency


@pytest.mark.django_db
def test_agency_cannot_become_its_own_ancestor(operator, agency_a):
    child = services.create_agency(operator, code="000.01.00.T27", name="Huyện ủy", short_name="HU", notation_code="HU", parent=agency_a)
    with pytest.raises(ValidationError):
        services.update_agency(operator, agency_a, parent=child)


@pytest.mark.django_db
def test_unit_tree_paths_follow_moves(admin_a, agency_a):
    office = services.create_unit(admin_a, agency_a, name="Văn phòng", short_name="VP")
    admin_room = services.create_unit(admin_a, agency_a, name="Phòng Hành chính", parent=office)
    desk = services.create_unit(admin_a, agency_a, name="Tổ Văn thư", parent=admin_room)
    board = services.create_unit(admin_a, agency_a, name="Ban Tổ chức", short_name="BTC")
    assert desk.path == f"/{office.pk}/{admin_room.pk}/" and desk.depth == 2
    services.update_unit(admin_a, admin_room, parent=board)
    desk.refresh_from_db()
    assert desk.path == f"/{board.pk}/{admin_room.pk}/" and desk.depth == 2
    with pytest.raises(ValidationError):
        services.update_unit(admin_a, board, parent=desk)  # a cycle


@pytest.mark.django_db
def test_unit_names_unique_under_parent_and_text_normalised(admin_a, agency_a):
    services.create_unit(admin_a, agency_a, name="Văn  phòng ")
    with pytest.raises(ValidationError):
        services.create_unit(admin_a, agency_a, name="văn phòng")
    decomposed = "Ban Tuye\u0302n gia\u0301o"  # NFD, as some keyboards and Windows-1258 give it
    unit = services.create_unit(admin_a, agency_a, name=decomposed)
    assert unit.name == "Ban Tuyên giáo"


@pytest.mark.django_db
def test_units_and_people_only_in_own_agency(admin_a, admin_b, agency_a, agency_b):
    unit_b = make_unit(agency_b, "Văn phòng")
    with pytest.raises(PermissionDenied):
        services.create_unit(admin_a, agency_b, name="Lạ")
    with pytest.raises(ValidationError):
        services.create_unit(admin_a, agency_a, name="Con", parent=unit_b)
    with pytest.raises(ValidationError):
        services.create_person(admin_a, agency_a, username="x", full_name="Nguyễn X", unit=unit_b)
    assert not Person.objects.filter(username="x").exists()
    assert Unit.objects.filter(agency=agency_a).count() == 0


@pytest.mark.django_db
def test_clearance_cannot_exceed_the_granting_admin(admin_a, agency_a):
    assert admin_a.clearance == 1
    with pytest.raises(ValidationError):
        services.create_person(admin_a, agency_a, username="tm", full_name="Tối Mật", clearance=2)
    person = services.create_person(admin_a, agency_a, username="m", full_name="Mật", clearance=1, roles=["specialist"])
    assert person.clearance == 1 and person.has_role("specialist")


@pytest.mark.django_db
def test_usernames_unique_case_insensitively(admin_a, agency_a, clerk_a):
    with pytest.raises(ValidationError):
        services.create_person(admin_a, agency_a, username="VANTHU.A", full_name="Trùng")
    with pytest.raises(ValidationError):
        services.create_person(admin_a, agency_a, username="co dau cach", full_name="Sai")


@pytest.mark.django_db
def test_admin_cannot_lock_themselves_out(admin_a):
    with pytest.raises(ValidationError):
        services.update_person(admin_a, admin_a, roles=["clerk"])
    with pytest.raises(ValidationError):
        services.update_person(admin_a, admin_a, is_active=False)


@pytest.mark.django_db
def test_update_person_records_changes(admin_a, clerk_a):
    services.update_person(admin_a, clerk_a, position="Văn thư chính", roles=["clerk", "specialist"])
    rec = AuditRecord.objects.filter(action="org.person.updated").latest("seq")
    assert rec.data["changes"]["position"] == ["", "Văn thư chính"]
    assert rec.data["changes"]["roles"] == [["clerk"], ["clerk", "specialist"]]


@pytest.mark.django_db
def test_people_search_ignores_diacritics(admin_a, clerk_a):
    from vanphong.org.selectors import people_of_own_agency

    assert list(people_of_own_agency(admin_a, query="nguyen thi van")) == [clerk_a]
    assert list(people_of_own_agency(admin_a, query="NGUYỄN")) == [clerk_a]
