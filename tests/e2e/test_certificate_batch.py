"""The CA operator issues many certificates at once: chooses the CSR files named after their holders, gets back
one .zip of certificates; a bad batch is refused whole with every bad file named; too many files are refused
before they are sent."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from cryptography import x509
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.test_certificate_authority import sign_in_with_code, to_english
from tests.factories import make_person
from tests.pki.conftest import make_csr
from vanphong.core.models import AuditRecord
from vanphong.pki import services
from vanphong.pki.models import Certificate

BATCH = "/pki/manage/certificates/batch/"


def csr_file(name: str, data: bytes | None = None) -> dict:
    return {"name": name, "mimeType": "application/pkcs10", "buffer": make_csr() if data is None else data}


@pytest.mark.django_db(transaction=True)
def test_operator_issues_certificates_from_csr_files_all_or_none(page, ca_operator, agency_a, tmp_path):
    services.init_ca(None, name="VănPhòng Bắc Ninh", algorithm="p256")
    nguyen = make_person(agency_a, "nguyenvana", "Nguyễn Văn An", roles=["specialist"])
    tran = make_person(agency_a, "tranthibinh", "Trần Thị Bình", roles=["specialist"])
    sign_in_with_code(page, ca_operator)
    to_english(page)

    # From the page for one certificate to the one for many.
    page.goto("/pki/manage/certificates/new/")
    page.locator(f"main form a[href='{BATCH}']").click()
    page.wait_for_url(f"**{BATCH}")
    expect(page.locator(".tabs a[aria-current=page]")).to_have_attribute("href", BATCH)
    # The naming rule shown is the chosen profile's.
    expect(page.locator("li[data-profile=official]")).to_contain_text("nguyenvana.csr")
    expect(page.locator("li[data-profile=agency-seal]")).to_be_hidden()
    page.locator("select[name=profile]").select_option("agency-seal")
    expect(page.locator("li[data-profile=agency-seal]")).to_be_visible()
    expect(page.locator("li[data-profile=official]")).to_be_hidden()
    page.locator("select[name=profile]").select_option("official")
    screenshot(page, "batchpage-plain-en")

    # An unknown username and a file that is no CSR: refused whole, both named.
    files = page.locator("input[name=csr_files]")
    files.set_input_files([csr_file("nguyenvana.csr"), csr_file("khongco.csr"), csr_file("ghi-chu.txt", b"hello")])
    page.get_by_role("button", name="Issue the certificates").click()
    page.wait_for_load_state()
    errors = page.locator(".errorbox li")
    expect(errors).to_have_count(2)
    expect(errors.nth(0)).to_contain_text("khongco.csr: no active person")
    expect(errors.nth(1)).to_contain_text("ghi-chu.txt: not a CSR file")
    expect(page.locator(".errorbox")).to_contain_text("No certificate was issued")
    expect(page.locator("select[name=profile]")).to_have_value("official")
    assert not Certificate.objects.filter(profile="official").exists()
    screenshot(page, "batchpage-error-en")

    # Two good files: the answer is the .zip, the page stays and cannot send the same batch twice.
    records_before = AuditRecord.objects.filter(action="pki.certificate.issued").count()
    files.set_input_files([csr_file("nguyenvana.csr"), csr_file("tranthibinh.csr")])
    expect(page.get_by_role("button", name="Issue the certificates")).to_be_enabled()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Issue the certificates").click()
    download = download_info.value
    assert download.suggested_filename.startswith("chung-thu-so-") and download.suggested_filename.endswith(".zip")
    path = Path(tmp_path) / download.suggested_filename
    download.save_as(path)
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["chain.pem", "nguyenvana.pem", "tranthibinh.pem"]
        names = {member: x509.load_pem_x509_certificate(archive.read(member)).subject
                 .get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value for member in ("nguyenvana.pem", "tranthibinh.pem")}
    assert names == {"nguyenvana.pem": nguyen.full_name, "tranthibinh.pem": tran.full_name}
    assert {c.holder_person for c in Certificate.objects.filter(profile="official")} == {nguyen, tran}
    assert AuditRecord.objects.filter(action="pki.certificate.issued").count() == records_before + 2
    expect(page.locator("[data-download-notice]")).to_be_visible()
    expect(page.get_by_role("button", name="Issue the certificates")).to_be_disabled()
    expect(files).to_have_value("")
    screenshot(page, "batchpage-issued-en")
    page.locator("[data-download-notice] a").click()
    expect(page.locator(".messages")).to_contain_text("Certificates issued: 2")

    # More files than a batch may have: refused before anything is sent.
    page.goto(BATCH)
    files.set_input_files([csr_file(f"nguoi{n}.csr", b"x") for n in range(services.MAX_BATCH + 1)])
    expect(page.locator("[data-too-many]")).to_be_visible()
    page.get_by_role("button", name="Issue the certificates").click()
    expect(page.locator("[data-too-many]")).to_contain_text(f"At most {services.MAX_BATCH} files")
    screenshot(page, "batchpage-too-many-en")
    assert page.url.endswith(BATCH) and Certificate.objects.filter(profile="official").count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_batch_page_in_vietnamese(page, ca_operator, agency_a):
    services.init_ca(None, name="VănPhòng Bắc Ninh", algorithm="p256")
    sign_in_with_code(page, ca_operator)
    page.goto(BATCH)
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    screenshot(page, "batchpage-plain-vi")
    page.locator("input[name=csr_files]").set_input_files([csr_file("khongco.csr")])
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator(".errorbox li")).to_have_count(1)
    expect(page.locator(".errorbox li")).to_contain_text("khongco.csr")
    screenshot(page, "batchpage-error-vi")
