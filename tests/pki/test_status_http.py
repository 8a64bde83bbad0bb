"""The OCSP responder over real HTTP, judged by `openssl ocsp`; the TSA, judged by `openssl ts`."""

import base64
import urllib.parse

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import ocsp

from tests.pki.conftest import make_csr, openssl, write
from vanphong.pki import services

# ---- OCSP ---------------------------------------------------------------------------------------


def _ask(pki, live_server, cert_path, tmp_path, *extra):
    return openssl("ocsp", "-issuer", pki.issuing_pem, "-cert", cert_path, "-url", f"{live_server.url}/pki/ocsp",
                   "-CAfile", pki.chain_pem, *extra)


def test_openssl_ocsp_sees_good_then_revoked_with_reason(pki, ca_operator, live_server, tmp_path):
    cert = services.issue_from_csr(ca_operator, profile="tls-client", csr_data=make_csr())
    leaf = write(tmp_path / "leaf.pem", cert.certificate_pem)
    good = _ask(pki, live_server, leaf, tmp_path)
    # openssl sends a nonce and checks the echo; it checks the delegated signer against the chain.
    assert f"{leaf}: good" in good.stdout and "Response verify OK" in good.stderr and "WARNING" not in good.stdout + good.stderr
    services.revoke(ca_operator, cert, reason="keyCompromise")
    revoked = _ask(pki, live_server, leaf, tmp_path)
    assert f"{leaf}: revoked" in revoked.stdout and "Reason: keyCompromise" in revoked.stdout and "Revocation Time:" in revoked.stdout
    assert "Response verify OK" in revoked.stderr


def test_unknown_serials_and_foreign_cas(pki, live_server, tmp_path):
    unknown = openssl("ocsp", "-issuer", pki.issuing_pem, "-serial", "0x1234", "-url", f"{live_server.url}/pki/ocsp",
                      "-CAfile", pki.chain_pem)
    assert "0x1234: unknown" in unknown.stdout and "Response verify OK" in unknown.stderr
    # A CA this instance does not run: the responder is not authoritative.
    key, foreign = tmp_path / "k.pem", tmp_path / "foreign.pem"
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-subj", "/CN=Foreign CA",
            "-days", "1", "-out", foreign)
    refused = openssl("ocsp", "-issuer", foreign, "-serial", "0x1234", "-url", f"{live_server.url}/pki/ocsp", "-CAfile", foreign,
                      check=False)
    assert "unauthorized" in (refused.stdout + refused.stderr).lower()


def test_ocsp_get_form_and_malformed_requests(pki, ca_operator, client):
    cert = services.issue_from_csr(ca_operator, profile="tls-client", csr_data=make_csr())
    request = ocsp.OCSPRequestBuilder().add_certificate(cert.x509, pki.issuing.x509, hashes.SHA256()).build()
    encoded = urllib.parse.quote(base64.b64encode(request.public_bytes(serialization.Encoding.DER)).decode(), safe="")
    response = client.get(f"/pki/ocsp/{encoded}")
    assert response.status_code == 200 and response["Content-Type"] == "application/ocsp-response"
    parsed = ocsp.load_der_ocsp_response(response.content)
    assert parsed.response_status == ocsp.OCSPResponseStatus.SUCCESSFUL and parsed.certificate_status == ocsp.OCSPCertStatus.GOOD
    assert parsed.serial_number == cert.serial_number and isinstance(parsed.hash_algorithm, hashes.SHA256)
    # Signed by the delegated responder, whose certificate comes with the response.
    [responder] = parsed.certificates
    assert x509.ExtendedKeyUsageOID.OCSP_SIGNING in responder.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    responder.public_key().verify(parsed.signature, parsed.tbs_response_bytes, ec.ECDSA(parsed.signature_hash_algorithm))
    garbage = client.post("/pki/ocsp", b"not a request", content_type="application/ocsp-request")
    assert ocsp.load_der_ocsp_response(garbage.content).response_status == ocsp.OCSPResponseStatus.MALFORMED_REQUEST
    assert client.get("/pki/ocsp").status_code == 405


# ---- time-stamping ------------------------------------------------------------------------------


def _timestamp(client, query: bytes):
    response = client.post("/pki/tsa", query, content_type="application/timestamp-query")
    assert response.status_code == 200 and response["Content-Type"] == "application/timestamp-reply"
    return response.content


def test_openssl_ts_verifies_a_token_for_the_data_it_stamps(pki, client, tmp_path, settings):
    data = write(tmp_path / "van-ban.txt", "Quyết định số 123/QĐ-UBND")
    query = tmp_path / "q.tsq"
    openssl("ts", "-query", "-data", data, "-sha256", "-cert", "-out", query)
    reply = write(tmp_path / "r.tsr", _timestamp(client, query.read_bytes()))
    verified = openssl("ts", "-verify", "-data", data, "-in", reply, "-CAfile", pki.root_pem, "-untrusted", pki.issuing_pem)
    assert "Verification: OK" in verified.stdout
    text = openssl("ts", "-reply", "-in", reply, "-text").stdout
    assert "Status: Granted." in text and f"Policy OID: {settings.VANPHONG_TSA_POLICY_OID}" in text and "Nonce: 0x" in text
    other = write(tmp_path / "khac.txt", "Quyết định số 124/QĐ-UBND")
    refused = openssl("ts", "-verify", "-data", other, "-in", reply, "-CAfile", pki.root_pem, "-untrusted", pki.issuing_pem, check=False)
    assert refused.returncode != 0 and "message imprint mismatch" in refused.stdout + refused.stderr


def test_tsa_leaves_certificates_out_unless_asked_and_refuses_sha1(pki, client, tmp_path):
    data = write(tmp_path / "d.txt", "dữ liệu")
    query = tmp_path / "q.tsq"
    openssl("ts", "-query", "-data", data, "-sha256", "-out", query)  # no -cert
    reply = write(tmp_path / "r.tsr", _timestamp(client, query.read_bytes()))
    # Without certificates in the token, openssl needs to be given the TSA's.
    tsa_cert = write(tmp_path / "tsa.pem", services.selectors.service_certificate(pki.issuing, "timestamping").certificate_pem)
    assert openssl("ts", "-verify", "-data", data, "-in", reply, "-CAfile", pki.root_pem, "-untrusted", pki.issuing_pem,
                   check=False).returncode != 0
    both = write(tmp_path / "untrusted.pem", tsa_cert.read_text() + pki.issuing.certificate_pem)
    assert "Verification: OK" in openssl("ts", "-verify", "-data", data, "-in", reply, "-CAfile", pki.root_pem, "-untrusted", both).stdout
    openssl("ts", "-query", "-data", data, "-sha1", "-out", query)
    reply = write(tmp_path / "sha1.tsr", _timestamp(client, query.read_bytes()))
    text = openssl("ts", "-reply", "-in", reply, "-text").stdout
    assert "Status: Rejected." in text and "unrecognized or unsupported algorithm identifier" in text
    garbage = write(tmp_path / "g.tsr", _timestamp(client, b"garbage"))
    assert "the data submitted has the wrong format" in openssl("ts", "-reply", "-in", garbage, "-text").stdout


@pytest.mark.django_db
def test_tsa_without_a_ca_says_so(client, tmp_path):
    data = write(tmp_path / "d.txt", "x")
    query = tmp_path / "q.tsq"
    openssl("ts", "-query", "-data", data, "-sha256", "-out", query)
    reply = write(tmp_path / "r.tsr", _timestamp(client, query.read_bytes()))
    assert "not set up" in openssl("ts", "-reply", "-in", reply, "-text").stdout
