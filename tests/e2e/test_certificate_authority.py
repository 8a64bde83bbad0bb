"""The CA operator issues certificates (a generated key delivered as .p12, and from a CSR),
revokes one and sees the CRL and OCSP answer change; an official is warned before their
certificate expires; an administrator adds and removes a trusted root."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyotp
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from django.utils import timezone

from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD
from tests.pki.conftest import make_csr, weak_rsa_csr
from tests.signing.test_trusted_roots_pages import make_root
from vanphong.pki import services
from vanphong.pki.models import Certificate
from vanphong.signing.models import TrustedRoot

PASSPHRASE = "Khoa-bi-mat-2026"


def sign_in_with_code(page, person):
    person.totp_secret, person.totp_confirmed = pyotp.random_base32(), True
    person.save()
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(person.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.locator("input[name=code]").fill(pyotp.TOTP(person.totp_secret).now())
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/")


def to_english(page):
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()


def nav(page, href):
    page.locator(f'nav.sidebar a[href="{href}"]').click()
    page.wait_for_load_state()


@pytest.mark.django_db(transaction=True)
def test_operator_issues_renews_nothing_twice_and_revokes(page, ca_operator, official, tmp_path):
    services.init_ca(None, name="VănPhòng Bắc Ninh", algorithm="p256")
    sign_in_with_code(page, ca_operator)
    nav(page, "/pki/manage/")
    assert page.locator("section.panel h2").first.inner_text().startswith("VănPhòng Bắc Ninh")
    screenshot(page, "ca-authorities-vi")

    # An official's certificate with a key generated here, delivered once as .p12.
    page.locator(".tabs a[href='/pki/manage/certificates/new/']").click()
    page.locator("select[name=profile]").select_option("official")
    assert page.locator("#id_host_name").is_hidden() and page.locator("#id_csr_file").is_hidden()
    page.locator("select[name=holder_person]").select_option(str(official.pk))
    page.locator("#id_passphrase").fill("ngan")
    page.locator("#id_passphrase_again").fill("ngan")
    page.locator("form[data-key-form] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".field.has-error").count() == 1 and not Certificate.objects.filter(holder_person=official).exists()
    screenshot(page, "ca-issue-refused-vi")
    page.locator("#id_passphrase").fill(PASSPHRASE)
    page.locator("#id_passphrase_again").fill(PASSPHRASE)
    with page.expect_download() as download_info:
        page.locator("form[data-key-form] button[type=submit]").click()
    path = Path(tmp_path) / download_info.value.suggested_filename
    download_info.value.save_as(path)
    assert path.suffix == ".p12"
    key, cert, chain = pkcs12.load_key_and_certificates(path.read_bytes(), PASSPHRASE.encode())
    assert cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value == official.full_name
    assert key is not None and len(chain) == 2
    # The page stayed: its passphrases are cleared, and it says where the certificate is.
    page.locator("[data-download-notice]").wait_for(state="visible")
    assert page.locator("#id_passphrase").input_value() == "" and page.locator("#id_passphrase_again").input_value() == ""
    screenshot(page, "ca-issued-p12-vi")
    row = Certificate.objects.get(holder_person=official)
    assert row.private_key == "" and row.serial == format(cert.serial_number, "x")

    # A node's certificate from a CSR: a weak key first, refused in words.
    page.locator("select[name=profile]").select_option("tls-server")
    page.locator("#id_host_name").fill("vanphong.bacninh.gov.vn")
    page.locator("input[name=key_source][value=csr]").check()
    page.locator("#id_csr_file").set_input_files({"name": "weak.csr", "mimeType": "application/pkcs10", "buffer": weak_rsa_csr()})
    page.locator("form[data-key-form] button[type=submit]").click()
    page.wait_for_load_state()
    assert "RSA" in page.locator(".errorbox").inner_text() and "1024" in page.locator(".errorbox").inner_text()
    screenshot(page, "ca-issue-weak-csr-vi")
    # The form kept the choices; only the file is chosen again.
    assert page.locator("#id_host_name").input_value() == "vanphong.bacninh.gov.vn"
    page.locator("#id_csr_file").set_input_files({"name": "node.csr", "mimeType": "application/pkcs10", "buffer": make_csr()})
    page.locator("form[data-key-form] button[type=submit]").click()
    page.wait_for_url("**/pki/manage/certificates/*/")
    tls = Certificate.objects.get(common_name="vanphong.bacninh.gov.vn")
    assert page.locator("#ocsp-status .badge").inner_text() != "" and "ok" in page.locator("#ocsp-status .badge").get_attribute("class")
    assert "ok" in page.locator("#crl-status .badge").get_attribute("class")
    screenshot(page, "ca-certificate-vi")

    # Revoked: the published CRL lists it and the OCSP responder says so, on the same page.
    page.locator(f"a[href='/pki/manage/certificates/{tls.serial}/revoke/']").click()
    page.locator("select[name=reason]").select_option("keyCompromise")
    page.locator("main form button.danger").click()
    page.wait_for_load_state()
    assert page.locator(".field.has-error").count() == 1  # not confirmed
    tls.refresh_from_db()
    assert tls.status == "valid"
    page.locator("#id_confirm").check()
    screenshot(page, "ca-revoke-vi")
    page.locator("main form button.danger").click()
    page.wait_for_url(f"**/pki/manage/certificates/{tls.serial}/")
    assert "bad" in page.locator("#ocsp-status .badge").get_attribute("class")
    assert "bad" in page.locator("#crl-status .badge").get_attribute("class")
    tls.refresh_from_db()
    assert tls.status == "revoked" and tls.revocation_reason == "keyCompromise"
    screenshot(page, "ca-certificate-revoked-vi")

    # The list, filtered to the revoked ones, and the CA's audit log.
    page.locator(".tabs a[href='/pki/manage/certificates/']").click()
    page.locator("select[name=status]").select_option("revoked")
    page.locator("form.filters button").click()
    page.wait_for_load_state()
    assert page.locator("tbody tr").count() == 1 and tls.serial in page.locator("tbody").inner_html()
    page.locator("select[name=status]").select_option("")
    page.locator("form.filters button").click()
    page.wait_for_load_state()
    screenshot(page, "ca-certificates-vi")
    page.locator(".tabs a[href='/pki/manage/operations/']").click()
    assert page.locator("tbody tr").count() >= 6
    screenshot(page, "ca-operations-vi")

    to_english(page)
    assert page.locator("h1").inner_text() == "Certificate authority"
    screenshot(page, "ca-operations-en")
    page.goto(f"/pki/manage/certificates/{tls.serial}/")
    assert page.locator("#ocsp-status").inner_text().startswith("Revoked")
    screenshot(page, "ca-certificate-revoked-en")
    page.goto("/pki/manage/certificates/new/")
    screenshot(page, "ca-issue-en")


@pytest.mark.django_db(transaction=True)
def test_official_is_warned_before_expiry_and_told_whom_to_ask_after(page, ca_operator, official):
    services.init_ca(None, name="VănPhòng Bắc Ninh", algorithm="p256")
    cert = services.issue_with_held_key(None, profile="official", holder_person=official)
    Certificate.objects.filter(pk=cert.pk).update(not_after=timezone.now() + dt.timedelta(days=9, hours=2))
    sign_in_with_code(page, official)
    banner = page.locator("#certificate-banner")
    assert "9" in banner.inner_text()
    screenshot(page, "my-certificates-banner-vi")
    banner.get_by_role("link").click()
    page.wait_for_url("**/pki/mine/")
    assert cert.serial in page.locator("tbody").inner_text() and page.locator("tbody .badge.warn").count() == 1
    screenshot(page, "my-certificates-vi")
    to_english(page)
    assert "expires on" in page.locator("#certificate-banner").inner_text()
    screenshot(page, "my-certificates-en")

    services.revoke(None, cert, reason="affiliationChanged")
    page.reload()
    assert "revoked" in page.locator("#certificate-banner").inner_text()
    assert ca_operator.full_name in page.locator("main").inner_text()
    screenshot(page, "my-certificates-revoked-en")


@pytest.mark.django_db(transaction=True)
def test_trust_manager_adds_and_removes_a_root(page, admin_a):
    sign_in_with_code(page, admin_a)
    nav(page, "/signing/trusted-roots/")
    page.locator("#id_certificate").set_input_files({"name": "leaf.pem", "mimeType": "application/x-pem-file",
                                                      "buffer": make_root("Không phải CA", ca=False)})
    page.locator("form.panel button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".errorbox").count() == 1 and not TrustedRoot.objects.exists()
    screenshot(page, "trusted-roots-refused-vi")
    page.locator("#id_certificate").set_input_files({"name": "national.pem", "mimeType": "application/x-pem-file",
                                                      "buffer": make_root("Root CA Chính phủ")})
    page.locator("#id_name").fill("CA gốc Chính phủ")
    page.locator("form.panel button[type=submit]").click()
    page.wait_for_load_state()
    assert "CA gốc Chính phủ" in page.locator("tbody").inner_text()
    screenshot(page, "trusted-roots-vi")
    root = TrustedRoot.objects.get()
    page.locator(f"a[href='/signing/trusted-roots/{root.pk}/remove/']").click()
    assert root.fingerprint in page.locator("main").inner_text()
    screenshot(page, "trusted-root-remove-vi")
    to_english(page)
    screenshot(page, "trusted-root-remove-en")
    page.locator("form.panel button.danger").click()
    page.wait_for_url("**/signing/trusted-roots/")
    assert not TrustedRoot.objects.exists()
    screenshot(page, "trusted-roots-en")
