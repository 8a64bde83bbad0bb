"""Gapless numbers and notations in the agency's scheme."""

import threading
from datetime import date

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import make_person
from vanphong.documents import services
from vanphong.documents.models import Document, Register
from vanphong.documents.notation import format_notation, format_number, join_reference, parse_reference


def _incoming(clerk, **extra):
    values = {"doc_type": "CV", "subject": "Về việc báo cáo tình hình", "issuing_agency_name": "Sở Nội vụ", **extra}
    return services.register_incoming(clerk, **values)


def test_state_and_party_notations():
    assert format_notation(doc_type="QĐ", scheme="state", agency_notation="UBND") == "QĐ-UBND"
    assert format_notation(doc_type="CV", scheme="state", agency_notation="UBND", unit_short_name="VP") == "UBND-VP"
    assert format_notation(doc_type="QĐ", scheme="party", agency_notation="TW") == "QĐ/TW"
    assert format_notation(doc_type="CV", scheme="party", agency_notation="VPTW") == "CV/VPTW"
    assert join_reference("123", "QĐ-UBND", party=False) == "123/QĐ-UBND"
    assert join_reference("127", "QĐ/TW", party=True) == "127-QĐ/TW"
    assert format_number(5) == "05" and format_number(123) == "123"


def test_parse_references_as_written():
    assert parse_reference("Số: 123/QĐ-UBND") == ("123", "QĐ-UBND", "state")
    assert parse_reference("127-QĐ/TW") == ("127", "QĐ/TW", "party")
    assert parse_reference("45 / UBND-VP") == ("45", "UBND-VP", "state")
    assert parse_reference("Số 45-CV/VPTW") == ("45", "CV/VPTW", "party")
    assert parse_reference("không có số") is None


@given(st.integers(min_value=1, max_value=99999), st.sampled_from(["QĐ", "NQ", "KH", "TTr", "QyĐ", "CV"]),
       st.sampled_from(["UBND", "TU", "VPTW", "HĐND"]), st.sampled_from(["state", "party"]), st.sampled_from(["", "VP", "TCCB"]))
def test_format_then_parse_round_trips(number, doc_type, agency, scheme, unit):
    code_number = format_number(number)
    notation = format_notation(doc_type=doc_type, scheme=scheme, agency_notation=agency, unit_short_name=unit)
    reference = join_reference(code_number, notation, party=scheme == "party")
    assert parse_reference(reference) == (code_number, notation, scheme)


@pytest.mark.django_db
def test_arrival_numbers_follow_each_other_and_restart_with_a_new_register(clerk_doc, agency_a):
    first, second = _incoming(clerk_doc), _incoming(clerk_doc, subject="Về việc khác")
    assert (first.number, second.number) == (1, 2)
    next_year = Register.objects.create(agency=agency_a, direction="in", year=first.register.year + 1, name="Sổ đến", code="DEN")
    assert next_year.next_number == 1 and first.register.year != next_year.year


@pytest.mark.django_db
def test_a_failed_registration_gives_its_number_back(clerk_doc):
    _incoming(clerk_doc)
    with pytest.raises(services.ValidationError):
        _incoming(clerk_doc, issued_date=date(2999, 1, 1))  # refused after validation, inside the transaction
    assert _incoming(clerk_doc, subject="Tiếp theo").number == 2


@pytest.mark.django_db(transaction=True)
def test_one_hundred_simultaneous_registrations_get_1_to_100(agency_a):
    clerks = [make_person(agency_a, f"vanthu{i}", f"Văn Thư {i}", roles=["clerk"]) for i in range(10)]
    register = services.default_register(agency_a, "in", date.today().year)
    errors, barrier = [], threading.Barrier(10)

    def register_ten(clerk, start):
        try:
            barrier.wait()
            for i in range(10):
                _incoming(clerk, register=register, subject=f"Văn bản số {start + i}", code_number=str(start + i),
                          issued_date=date.today())
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=register_ten, args=(clerk, n * 10)) for n, clerk in enumerate(clerks)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[:3]
    numbers = sorted(Document.objects.filter(register=register).values_list("number", flat=True))
    assert numbers == list(range(1, 101))
    register.refresh_from_db()
    assert register.next_number == 101


@pytest.mark.django_db
@pytest.mark.parametrize("scheme,notation_code,doc_type,unit_short,expected", [
    ("state", "UBND", "QĐ", "", "01/QĐ-UBND"),
    ("state", "UBND", "CV", "VP", "01/UBND-VP"),
    ("party", "TW", "QĐ", "", "01-QĐ/TW"),
    ("party", "VPTW", "CV", "", "01-CV/VPTW"),
])
def test_issue_numbers_in_the_agency_scheme(scheme, notation_code, doc_type, unit_short, expected):
    from tests.factories import make_agency, make_unit

    agency = make_agency("000.00.00.H99", "Cơ quan thử", "CQT", notation_code=notation_code, notation_scheme=scheme)
    unit = make_unit(agency, "Văn phòng", unit_short)
    clerk = make_person(agency, "vt", "Văn Thư", roles=["clerk"], unit=unit)
    draft = services.create_outgoing_draft(clerk, doc_type=doc_type, subject="Về việc thử nghiệm", recipient_places=["Như trên"])
    issued = services.issue_outgoing(clerk, draft)
    assert issued.reference == expected and issued.status == "issued" and issued.issued_date == date.today()
    second = services.issue_outgoing(clerk, services.create_outgoing_draft(clerk, doc_type=doc_type, subject="Lần hai"))
    assert second.number == 2
    with pytest.raises(services.ValidationError):
        services.issue_outgoing(clerk, issued)  # already issued
