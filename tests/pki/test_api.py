"""The certificate API as a CA operator's script uses it: what it answers and what it refuses."""

import pytest
from cryptography import x509

from tests.api.conftest import Api, token_of
from tests.pki.conftest import make_csr, weak_rsa_csr
from vanphong.pki import services
from vanphong.pki.models import Certificate

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(ca_operator):
    from django.test import Client

    return Api(Client(), token_of(ca_operator))


def test_issue_from_csr_then_get_list_and_revoke(pki, api, official):
    response = api.post("/certificates", {"profile": "tls-server", "csr_pem": make_csr(dns=["node2.vanphong.test"]).decode()})
    assert response.status_code == 201, response.content
    body = response.json()
    cert = x509.load_pem_x509_certificate(body["certificate_pem"].encode())
    assert body["serial"] == format(cert.serial_number, "x") and body["issuer"] == pki.issuing.slug
    assert body["common_name"] == "node1.vanphong.test" and body["key_held"] is False
    assert api.get(f"/certificates/{body['serial'].upper()}").json()["serial"] == body["serial"]
    listed = api.get("/certificates", {"q": "node1", "status": "valid"}).json()
    assert [c["serial"] for c in listed["items"]] == [body["serial"]]
    revoked = api.post(f"/certificates/{body['serial']}/revocation", {"reason": "cessationOfOperation"}).json()
    assert revoked["status"] == "revoked" and revoked["revocation_reason"] == "cessationOfOperation"
    again = api.post(f"/certificates/{body['serial']}/revocation", {"reason": "keyCompromise"})
    assert again.status_code == 422 and "already revoked" in again.json()["detail"][0]["message"]


@pytest.mark.parametrize("payload, field, message", [
    ({"profile": "tls-client", "csr_pem": "garbage"}, None, "is not a certificate signing request"),
    ({"profile": "tls-client", "csr_pem": weak_rsa_csr().decode()}, None, "The key is too weak"),
    ({"profile": "official", "csr_pem": make_csr().decode()}, None, "must name the person"),
    ({"profile": "agency-seal", "csr_pem": make_csr().decode()}, None, "must name the agency"),
    ({"profile": "ocsp-signer", "csr_pem": make_csr().decode()}, "profile", "not one of the available choices"),
    ({"profile": "tls-server", "csr_pem": make_csr().decode(), "dns_names": ["not a name!"]}, None, "is not a valid DNS name"),
    ({"profile": "tls-client", "csr_pem": make_csr().decode(), "extra": 1}, "extra", "not accepted"),
])
def test_bad_requests_are_refused_and_issue_nothing(pki, api, payload, field, message):
    before = Certificate.objects.count()
    response = api.post("/certificates", payload)
    assert response.status_code == 422, response.content
    detail = response.json()["detail"][0]
    assert detail["field"] == field and message in detail["message"]
    assert Certificate.objects.count() == before


def test_unknown_reason_and_serial(pki, api, ca_operator):
    cert = services.issue_from_csr(ca_operator, profile="tls-client", csr_data=make_csr())
    assert api.post(f"/certificates/{cert.serial}/revocation", {"reason": "certificateHold"}).status_code == 422
    assert api.get("/certificates/not-hex").status_code == 422
    assert api.post("/certificates/ffff/revocation", {"reason": "superseded"}).status_code == 404
