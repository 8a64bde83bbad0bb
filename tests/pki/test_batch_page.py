"""The CA operator's page for many certificates at once: CSR files named after their holders in, one .zip of
certificates out; a bad batch is refused whole, every bad file named, nothing written."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from cryptography import x509
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import make_person
from tests.pki.conftest import make_csr, weak_rsa_csr
from tests.pki.test_pages import english
from vanphong.core import audit
from vanphong.core.models import AuditRecord
from vanphong.pki import services
from vanphong.pki.csr import MAX_CSR_BYTES
from vanphong.pki.forms import BatchIssueForm
from vanphong.pki.models import Certificate

pytestmark = pytest.mark.django_db
URL = "/pki/manage/certificates/batch/"


@pytest.fixture
def op(ca_operator):
    return english(ca_operator)


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pkcs10")


def officials(agency, count):
    return [make_person(agency, f"chuyenvien{n}", f"Lê Thị Chuyên Viên {n}", roles=["specialist"]) for n in range(count)]


def written() -> tuple[int, int]:
    return Certificate.objects.count(), AuditRecord.objects.count()


def common_name(pem: bytes) -> str:
    return x509.load_pem_x509_certificate(pem).subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value


def test_the_page_says_how_to_name_the_files_and_how_many(pki, op):
    body = op.get(URL).content.decode()
    assert "nguyenvana.csr" in body and "000.00.00.H27.csr" in body and "the host names are those the CSR asks for" in body
    assert f"at most {services.MAX_BATCH} files at once" in body and "no certificate is issued" in body
    assert re.search(r'<input type="file" name="csr_files"[^>]* multiple[ >]', body) and 'data-max-files="1000"' in body
    # Reached from the tabs and from the page for one certificate.
    assert body.count('href="/pki/manage/certificates/batch/"') == 1
    assert 'href="/pki/manage/certificates/batch/"' in op.get("/pki/manage/certificates/new/").content.decode()


def test_officials_named_by_username_get_their_certificates_in_one_zip(pki, op, ca_operator, agency_a):
    people = officials(agency_a, 3)
    certificates_before, records_before = written()
    # Any case of the username finds its person; the answer keeps the file's own name.
    files = [upload("ChuyenVien0.csr", make_csr()), upload("chuyenvien1.req", make_csr()), upload("chuyenvien2.pem", make_csr())]

    response = op.post(URL, {"profile": "official", "csr_files": files})

    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "no-store"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="chung-thu-so-') and disposition.endswith('.zip"')
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == ["ChuyenVien0.pem", "chain.pem", "chuyenvien1.pem", "chuyenvien2.crt"]
    by_file = {"ChuyenVien0.pem": people[0], "chuyenvien1.pem": people[1], "chuyenvien2.crt": people[2]}
    for name, person in by_file.items():
        pem = archive.read(name)
        assert common_name(pem) == person.full_name
        row = Certificate.objects.get(serial=format(x509.load_pem_x509_certificate(pem).serial_number, "x"))
        assert row.holder_person == person and row.profile == "official" and row.private_key == ""
    assert archive.read("chain.pem").decode() == pki.issuing.certificate_pem + pki.root.certificate_pem
    assert written() == (certificates_before + 3, records_before + 3)
    records = AuditRecord.objects.filter(action="pki.certificate.issued").order_by("-seq")[:3]
    assert {rec.target_id for rec in records} == {str(c.pk) for c in Certificate.objects.filter(holder_person__in=people)}
    assert all(rec.actor == ca_operator for rec in records) and audit.verify().ok
    # The page stayed; the next one says what was done.
    assert "Certificates issued: 3, downloaded in one .zip file." in op.get("/pki/manage/certificates/").content.decode()


def test_agency_seals_are_named_by_the_agencys_code(pki, op, agency_a):
    response = op.post(URL, {"profile": "agency-seal", "csr_files": [upload(f"{agency_a.code}.csr", make_csr())]})
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == [f"{agency_a.code}.pem", "chain.pem"]
    assert Certificate.objects.get(profile="agency-seal").holder_agency == agency_a
    assert common_name(archive.read(f"{agency_a.code}.pem")) == agency_a.name


def test_a_batch_with_an_unknown_username_and_a_file_that_is_no_csr_is_refused_whole(pki, op, agency_a):
    officials(agency_a, 1)
    before = written()
    response = op.post(URL, {"profile": "official", "csr_files": [
        upload("chuyenvien0.csr", make_csr()), upload("nguyenvana.csr", make_csr()), upload("ghi-chu.txt", b"hello")]})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert "No certificate was issued. Correct these files, then send the whole batch again" in body
    assert ("nguyenvana.csr: no active person of the agencies hosted here has the username “nguyenvana”." in body)
    assert "ghi-chu.txt: not a CSR file (.csr, .req, .pem or .der)." in body
    assert "chuyenvien0.csr" not in body
    assert written() == before


def test_a_batch_whose_csrs_the_services_refuse_names_each_file(pki, op, agency_a):
    officials(agency_a, 3)
    before = written()
    body = op.post(URL, {"profile": "official", "csr_files": [
        upload("chuyenvien0.csr", make_csr()), upload("chuyenvien1.csr", weak_rsa_csr()), upload("chuyenvien2.csr", b"")]}
    ).content.decode()
    assert "chuyenvien1.csr: The key is too weak: RSA with 1024 bits. At least 2048 bits are required." in body
    assert "chuyenvien2.csr: This is not a certificate signing request (PEM or DER)." in body
    assert written() == before


def test_a_file_larger_than_a_csr_is_refused_and_read_no_further(pki, op, agency_a):
    officials(agency_a, 1)
    before = written()
    big = make_csr() + b"\n" * MAX_CSR_BYTES
    body = op.post(URL, {"profile": "official", "csr_files": [upload("chuyenvien0.csr", big)]}).content.decode()
    assert "chuyenvien0.csr: too large for a CSR (64 KB at most)." in body
    assert written() == before
    form = BatchIssueForm({"profile": "official"}, {"csr_files": [upload("chuyenvien0.csr", big + b"\n" * 10**6)]})
    assert form.is_valid() and len(form.cleaned_data["csr_files"][0].data) == MAX_CSR_BYTES + 1


def test_no_files_and_too_many_files_are_refused_in_words(pki, op, agency_a):
    before = written()
    body = op.post(URL, {"profile": "official"}).content.decode()
    assert "Choose the CSR files to certify." in body
    one_too_many = [upload(f"nguoi{n}.csr", b"x") for n in range(services.MAX_BATCH + 1)]
    body = op.post(URL, {"profile": "official", "csr_files": one_too_many}).content.decode()
    assert f"At most {services.MAX_BATCH} certificates are issued at once; this batch has {services.MAX_BATCH + 1}." in body
    # Past what Django lets through, no view sees the request: its 400 answer still says what to do.
    far_too_many = [upload(f"nguoi{n}.csr", b"x") for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)]
    response = op.post(URL, {"profile": "official", "csr_files": far_too_many}, HTTP_REFERER=f"http://testserver{URL}")
    assert response.status_code == 400
    body = response.content.decode()
    assert f"more than {settings.DATA_UPLOAD_MAX_NUMBER_FILES} files" in body and f'href="http://testserver{URL}"' in body
    assert written() == before


def test_only_ca_operators_reach_the_page(pki, agency_a, admin_a, clerk_a, operator, official):
    officials(agency_a, 1)
    before = written()
    for person in (admin_a, clerk_a, operator, official):
        client = english(person)
        assert client.get(URL).status_code == 403, person
        response = client.post(URL, {"profile": "official", "csr_files": [upload("chuyenvien0.csr", make_csr())]})
        assert response.status_code == 403, person
    assert written() == before
