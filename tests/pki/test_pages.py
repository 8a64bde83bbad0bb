"""The CA operator's pages and the officials' "My certificates": what each shows, what each
refuses (with the service's message, nothing written), and the expiry banner of the shell."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from tests.conftest import signed_in
from tests.factories import make_agency, make_person
from tests.pki.conftest import make_csr, weak_rsa_csr
from vanphong.core.models import AuditRecord
from vanphong.pki import services
from vanphong.pki.models import Certificate

pytestmark = pytest.mark.django_db
PASSPHRASE = "Mật-khẩu-p12-2026"


def english(person) -> Client:
    client = signed_in(Client(), person)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def op(ca_operator):
    return english(ca_operator)


def csr_file(data: bytes, name="request.csr") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pkcs10")


def issued_count() -> int:
    return Certificate.objects.filter(private_key="").count()


# ---- the CAs and the list -----------------------------------------------------------------------


def test_authorities_page_shows_both_cas_with_their_crl_and_urls(pki, op):
    body = op.get("/pki/manage/").content.decode()
    for ca in (pki.root, pki.issuing):
        assert ca.name in body and ca.crl_url in body and ca.certificate_url in body
    assert "Last CRL number" in body and "/pki/ocsp" in body


def test_list_filters_by_profile_status_subject_serial_and_expiry(pki, op, ca_operator, official, agency_a):
    tls = services.issue_from_csr(ca_operator, profile="tls-server", csr_data=make_csr(dns=["node1.vanphong.test"]))
    mine = services.issue_from_csr(ca_operator, profile="official", csr_data=make_csr(), holder_person=official)
    seal = services.issue_from_csr(ca_operator, profile="agency-seal", csr_data=make_csr(), holder_agency=agency_a)
    services.revoke(ca_operator, seal, reason="superseded")
    Certificate.objects.filter(pk=tls.pk).update(not_after=timezone.now() + dt.timedelta(days=10))

    def serials(query):
        body = op.get("/pki/manage/certificates/", query).content.decode()
        return {c.serial for c in (tls, mine, seal) if f"/pki/manage/certificates/{c.serial}/" in body}

    assert serials({}) == {tls.serial, mine.serial, seal.serial}
    assert serials({"profile": "official"}) == {mine.serial}
    assert serials({"status": "revoked"}) == {seal.serial}
    assert serials({"q": "Ánh Tuyết"}) == {mine.serial}
    assert serials({"q": ":".join(mine.serial[i:i + 2] for i in range(0, len(mine.serial), 2)).upper()}) == {mine.serial}
    assert serials({"expiring": "30"}) == {tls.serial}
    # A filter that makes no sense is left out, not an error page.
    response = op.get("/pki/manage/certificates/", {"status": "lost", "expiring": "x"})
    assert response.status_code == 200 and "were left out" in response.content.decode()


def test_a_short_hexadecimal_word_is_searched_in_subjects_a_long_one_as_a_serial(pki, op, ca_operator):
    cafe = services.issue_from_csr(ca_operator, profile="tls-client", csr_data=make_csr(common_name="cafe.vanphong.test"))
    body = op.get("/pki/manage/certificates/", {"q": "cafe"}).content.decode()
    assert f"/pki/manage/certificates/{cafe.serial}/" in body
    # Eight hexadecimal digits or more name a serial: the full one finds it, a part finds nothing.
    assert f"/pki/manage/certificates/{cafe.serial}/" in op.get("/pki/manage/certificates/", {"q": f"0x{cafe.serial}"}).content.decode()
    assert "No certificate matches." in op.get("/pki/manage/certificates/", {"q": cafe.serial[:12]}).content.decode()


# ---- a certificate's page -----------------------------------------------------------------------


def test_certificate_page_shows_details_chain_and_published_status_then_revocation(pki, op, ca_operator):
    cert = services.issue_from_csr(ca_operator, profile="tls-server", csr_data=make_csr(dns=["node1.vanphong.test"]))
    body = op.get(f"/pki/manage/certificates/{cert.serial}/").content.decode()
    assert "node1.vanphong.test" in body and "extendedKeyUsage" in body and "serverAuth" in body
    assert pki.issuing.name in body and pki.root.name in body
    assert '<dd id="ocsp-status"><span class="badge ok">Good' in body and '<span class="badge ok">Not listed' in body

    assert op.get(f"/pki/manage/certificates/{cert.serial}/revoke/").status_code == 200
    # Not confirmed: nothing happens.
    response = op.post(f"/pki/manage/certificates/{cert.serial}/revoke/", {"reason": "keyCompromise"})
    assert "Tick the box to confirm" in response.content.decode()
    cert.refresh_from_db()
    assert cert.status == "valid"
    response = op.post(f"/pki/manage/certificates/{cert.serial}/revoke/", {"reason": "keyCompromise", "confirm": "on"})
    assert response.status_code == 302
    body = op.get(response["Location"]).content.decode()
    assert '<span class="badge status bad">Revoked</span>' in body and "Listed as revoked" in body and "Key compromised" in body
    assert '<dd id="ocsp-status"><span class="badge bad">Revoked' in body
    # Twice: the service's refusal, on the form.
    body = op.post(f"/pki/manage/certificates/{cert.serial}/revoke/", {"reason": "superseded", "confirm": "on"}).content.decode()
    assert "already revoked" in body
    cert.refresh_from_db()
    assert cert.revocation_reason == "keyCompromise"
    assert op.post(f"/pki/manage/certificates/{cert.serial}/revoke/", {"reason": "certificateHold", "confirm": "on"}).status_code == 200


def test_downloads_are_the_certificate_in_pem_der_and_with_its_chain(pki, op, ca_operator):
    cert = services.issue_from_csr(ca_operator, profile="tls-client", csr_data=make_csr())
    base = f"/pki/manage/certificates/{cert.serial}/download"
    assert x509.load_pem_x509_certificate(op.get(f"{base}.pem").content) == cert.x509
    assert x509.load_der_x509_certificate(op.get(f"{base}.der").content) == cert.x509
    chain = x509.load_pem_x509_certificates(op.get(f"{base}.chain").content)
    assert chain == [cert.x509, pki.issuing.x509, pki.root.x509]
    assert op.get(f"{base}.p12").status_code == 404
    assert op.get("/pki/manage/certificates/zz-not-a-serial/").status_code == 404
    assert op.get("/pki/manage/certificates/abc123/").status_code == 404


# ---- issuing ------------------------------------------------------------------------------------


def test_issue_with_generated_key_answers_with_the_p12_and_keeps_no_key(pki, op, official):
    response = op.post("/pki/manage/certificates/new/", {
        "profile": "official", "holder_person": official.pk, "key_source": "generate",
        "passphrase": PASSPHRASE, "passphrase_again": PASSPHRASE,
    })
    assert response.status_code == 200 and response["Content-Type"] == "application/x-pkcs12"
    assert response["Content-Disposition"].startswith('attachment; filename="nguyen-thi-anh-tuyet-')
    assert response["Cache-Control"] == "no-store"
    key, cert, chain = pkcs12.load_key_and_certificates(response.content, PASSPHRASE.encode())
    row = Certificate.objects.get(serial=format(cert.serial_number, "x"))
    assert row.holder_person == official and row.private_key == "" and row.profile == "official"
    assert key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) == \
        cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert [c.subject for c in chain] == [pki.issuing.x509.subject, pki.root.x509.subject]
    assert AuditRecord.objects.filter(action="pki.certificate.issued", target_id=str(row.pk), data__source="generated_key").exists()
    # The success message waits for the next page the operator opens.
    assert f"serial {row.serial}" in op.get("/pki/manage/certificates/").content.decode()


@pytest.mark.parametrize("fields, field, message", [
    ({"passphrase": "ngắn", "passphrase_again": "ngắn"}, "passphrase", "at least 8 characters"),
    ({"passphrase": PASSPHRASE, "passphrase_again": PASSPHRASE + "x"}, "passphrase_again", "The two passphrases differ"),
    ({"passphrase": PASSPHRASE, "passphrase_again": PASSPHRASE, "holder_person": ""}, "holder_person", "Choose the official"),
])
def test_issue_with_generated_key_refuses_bad_input(pki, op, official, fields, field, message):
    before = issued_count()
    data = {"profile": "official", "holder_person": official.pk, "key_source": "generate", **fields}
    response = op.post("/pki/manage/certificates/new/", data)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert message in response.content.decode() and field in response.context["form"].errors
    assert issued_count() == before


def test_issue_from_csr_for_a_node_uses_the_host_name(pki, op):
    response = op.post("/pki/manage/certificates/new/", {"profile": "tls-server", "host_name": "vanphong.bacninh.gov.vn",
                                                         "key_source": "csr", "csr_file": csr_file(make_csr(common_name="x"))})
    assert response.status_code == 302
    cert = Certificate.objects.get(common_name="vanphong.bacninh.gov.vn")
    san = cert.x509.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["vanphong.bacninh.gov.vn"]
    assert response["Location"] == f"/pki/manage/certificates/{cert.serial}/"


def _bad_signature_csr() -> bytes:
    der = x509.load_pem_x509_csr(make_csr()).public_bytes(serialization.Encoding.DER)
    return der[:-3] + bytes([der[-3] ^ 0x01]) + der[-2:]


def _k1_csr() -> bytes:
    return make_csr(ec.generate_private_key(ec.SECP256K1()), common_name="k1.vanphong.test")


@pytest.mark.parametrize("data, message", [
    (b"-----BEGIN CERTIFICATE REQUEST-----\nbm90IGEgQ1NS\n-----END CERTIFICATE REQUEST-----\n", "is not a certificate signing request"),
    (b"\x00\x01garbage", "is not a certificate signing request"),
    (_bad_signature_csr(), "signature of the certificate signing request is not valid"),
    (weak_rsa_csr(), "The key is too weak: RSA with 1024 bits"),
    (_k1_csr(), "elliptic curve secp256k1, which is not approved"),
    (b"-" * (64 * 1024 + 1), "too large to be a certificate signing request"),
])
def test_issue_from_csr_refuses_bad_requests_clearly(pki, op, data, message):
    before = issued_count()
    response = op.post("/pki/manage/certificates/new/", {"profile": "tls-client", "host_name": "", "key_source": "csr",
                                                         "csr_file": csr_file(data)})
    assert response.status_code == 200 and message in response.content.decode()
    assert issued_count() == before


def test_issue_refuses_a_holder_outside_the_network_and_a_seal_without_agency(pki, op, agency_b):
    elsewhere = make_agency("000.00.00.H26", "UBND tỉnh Hà Tĩnh", "UBND Hà Tĩnh", hosted=False)
    stranger = make_person(elsewhere, "ngoai.mang", "Người Ngoài Mạng")
    before = issued_count()
    response = op.post("/pki/manage/certificates/new/", {"profile": "official", "holder_person": stranger.pk, "key_source": "csr",
                                                         "csr_file": csr_file(make_csr())})
    assert "Select a valid choice" in response.content.decode()
    response = op.post("/pki/manage/certificates/new/", {"profile": "agency-seal", "key_source": "csr", "csr_file": csr_file(make_csr())})
    assert "Choose the agency whose seal this is" in response.content.decode()
    response = op.post("/pki/manage/certificates/new/", {"profile": "ocsp-signer", "key_source": "csr", "csr_file": csr_file(make_csr())})
    assert "Select a valid choice" in response.content.decode()
    assert issued_count() == before
    # An agency hosted here gets its seal.
    response = op.post("/pki/manage/certificates/new/", {"profile": "agency-seal", "holder_agency": agency_b.pk, "key_source": "csr",
                                                         "csr_file": csr_file(make_csr())})
    assert response.status_code == 302 and Certificate.objects.get(holder_agency=agency_b).profile == "agency-seal"


def test_issue_without_a_ca_says_how_to_make_one(op, official):
    body = op.post("/pki/manage/certificates/new/", {"profile": "official", "holder_person": official.pk, "key_source": "csr",
                                                     "csr_file": csr_file(make_csr())}).content.decode()
    assert "There is no certificate authority yet" in body
    assert "vanphong ca init" in op.get("/pki/manage/").content.decode()


# ---- renewing -----------------------------------------------------------------------------------


def test_renew_with_the_same_key_and_with_a_new_generated_key(pki, op, ca_operator, official):
    cert = services.issue_from_csr(ca_operator, profile="official", csr_data=make_csr(), holder_person=official)
    response = op.post(f"/pki/manage/certificates/{cert.serial}/renew/", {"key_source": "same"})
    renewed = Certificate.objects.get(renewal_of=cert)
    assert response["Location"] == f"/pki/manage/certificates/{renewed.serial}/"
    assert renewed.x509.public_key() == cert.x509.public_key()
    response = op.post(f"/pki/manage/certificates/{renewed.serial}/renew/",
                       {"key_source": "generate", "passphrase": PASSPHRASE, "passphrase_again": PASSPHRASE})
    key, new, _chain = pkcs12.load_key_and_certificates(response.content, PASSPHRASE.encode())
    assert Certificate.objects.get(renewal_of=renewed).serial == format(new.serial_number, "x")
    assert new.public_key() != cert.x509.public_key()
    # A revoked certificate is not renewed: the service says why.
    services.revoke(ca_operator, cert, reason="superseded")
    body = op.post(f"/pki/manage/certificates/{cert.serial}/renew/", {"key_source": "same"}).content.decode()
    assert "A revoked certificate cannot be renewed" in body


# ---- the audit trail ----------------------------------------------------------------------------


def test_operations_page_lists_every_ca_operation_and_filters(pki, op, ca_operator):
    cert = services.issue_from_csr(ca_operator, profile="tls-client", csr_data=make_csr())
    services.revoke(ca_operator, cert, reason="cessationOfOperation")
    body = op.get("/pki/manage/operations/").content.decode()
    for label in ("Certificate authority initialised", "Certificate issued", "Certificate revoked", "CRL published"):
        assert label in body
    body = op.get("/pki/manage/operations/", {"action": "pki.certificate.revoked"}).content.decode()
    assert "No longer needed" in body and "CRL published</td>" not in body
    # Other records of the audit log are not CA operations.
    assert "Signed in" not in op.get("/pki/manage/operations/").content.decode()


# ---- who may see what ---------------------------------------------------------------------------

OPERATOR_PAGES = ["/pki/manage/", "/pki/manage/certificates/", "/pki/manage/certificates/new/", "/pki/manage/certificates/batch/",
                  "/pki/manage/operations/"]


def test_only_ca_operators_reach_the_operator_pages(pki, ca_operator, admin_a, clerk_a, operator, official):
    cert = services.issue_from_csr(ca_operator, profile="official", csr_data=make_csr(), holder_person=official)
    pages = [*OPERATOR_PAGES, f"/pki/manage/certificates/{cert.serial}/", f"/pki/manage/certificates/{cert.serial}/download.pem",
             f"/pki/manage/certificates/{cert.serial}/revoke/", f"/pki/manage/certificates/{cert.serial}/renew/"]
    for person in (admin_a, clerk_a, operator, official):
        client = english(person)
        for url in pages:
            assert client.get(url).status_code == 403, (person, url)
        assert client.post(f"/pki/manage/certificates/{cert.serial}/revoke/", {"reason": "keyCompromise", "confirm": "on"}).status_code == 403
        assert client.post(f"/pki/manage/certificates/{cert.serial}/renew/", {"key_source": "same"}).status_code == 403
        assert client.post("/pki/manage/certificates/new/", {"profile": "official", "holder_person": official.pk, "key_source": "generate",
                                                             "passphrase": PASSPHRASE, "passphrase_again": PASSPHRASE}).status_code == 403
        assert client.post("/pki/manage/certificates/batch/", {"profile": "official", "csr_files": [
            csr_file(make_csr(), f"{official.username}.csr")]}).status_code == 403
        assert "/pki/manage/" not in client.get("/").content.decode()
    cert.refresh_from_db()
    assert cert.status == "valid" and Certificate.objects.filter(holder_person=official).count() == 1
    assert "/pki/manage/" in english(ca_operator).get("/").content.decode()


# ---- My certificates and the banner --------------------------------------------------------------


def test_my_certificates_lists_only_ones_own(pki, ca_operator, official, clerk_a):
    mine = services.issue_with_held_key(ca_operator, profile="official", holder_person=official)
    other = services.issue_from_csr(ca_operator, profile="official", csr_data=make_csr(), holder_person=clerk_a)
    body = english(official).get("/pki/mine/").content.decode()
    assert mine.serial in body and other.serial not in body and "Held by the system" in body
    assert "My certificates" in english(official).get("/").content.decode()


def test_banner_warns_before_expiry_on_every_page_and_not_after_renewal(pki, ca_operator, official, settings):
    cert = services.issue_with_held_key(ca_operator, profile="official", holder_person=official)
    client = english(official)
    assert 'id="certificate-banner"' not in client.get("/").content.decode()
    Certificate.objects.filter(pk=cert.pk).update(not_after=timezone.now() + dt.timedelta(days=12, hours=1))
    for url in ("/", "/pki/mine/", "/accounts/me/"):
        body = client.get(url).content.decode()
        assert 'id="certificate-banner"' in body and "in 12 days" in body, url
    settings.VANPHONG_CERTIFICATE_WARNING_DAYS = 10
    assert 'id="certificate-banner"' not in client.get("/").content.decode()
    settings.VANPHONG_CERTIFICATE_WARNING_DAYS = 30
    services.renew(ca_operator, cert)  # a later certificate replaces it: no more warning
    assert 'id="certificate-banner"' not in client.get("/").content.decode()


def test_banner_costs_one_query(pki, ca_operator, official, django_assert_num_queries):
    from django.test import RequestFactory

    from vanphong.pki.context_processors import certificate_notice, notice_for

    services.issue_with_held_key(ca_operator, profile="official", holder_person=official)
    request = RequestFactory().get("/")
    request.user, request.session = official, {}
    with django_assert_num_queries(1):
        assert not notice_for(request) and not notice_for(request)
    assert certificate_notice(request) == {}  # no complete sign-in, no banner


def test_a_person_whose_certificate_lapsed_is_told_whom_to_ask(pki, ca_operator, official):
    cert = services.issue_with_held_key(ca_operator, profile="official", holder_person=official)
    services.revoke(ca_operator, cert, reason="affiliationChanged")
    client = english(official)
    assert "Your signing certificate was revoked" in client.get("/").content.decode()
    body = client.get("/pki/mine/").content.decode()
    assert "Ask a CA operator" in body and ca_operator.full_name in body
    Certificate.objects.filter(pk=cert.pk).update(status="valid", not_after=timezone.now() - dt.timedelta(days=1))
    assert "Your signing certificate has expired" in client.get("/").content.decode()
