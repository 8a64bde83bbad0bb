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


def test_a_batch_is_issued_in_order_or_refused_whole(pki, api, official, agency_a):
    from tests.factories import make_person

    other = make_person(agency_a, "chuyenvien.api", "Hoàng Văn Chuyên", roles=["specialist"])
    requests = [{"csr_pem": make_csr().decode(), "holder_person_id": official.pk},
                {"csr_pem": make_csr().decode(), "holder_person_id": other.pk}]
    response = api.post("/certificates/batch", {"profile": "official", "requests": requests})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["count"] == 2 and [c["common_name"] for c in body["items"]] == [official.full_name, other.full_name]
    for item in body["items"]:
        cert = x509.load_pem_x509_certificate(item["certificate_pem"].encode())
        assert format(cert.serial_number, "x") == item["serial"] and item["issuer"] == pki.issuing.slug

    before = Certificate.objects.count()
    bad = [requests[0], {"csr_pem": weak_rsa_csr().decode(), "holder_person_id": other.pk}, {"csr_pem": "garbage"}]
    response = api.post("/certificates/batch", {"profile": "official", "requests": bad})
    assert response.status_code == 422
    messages = [d["message"] for d in response.json()["detail"]]
    assert messages == ["requests[1]: The key is too weak: RSA with 1024 bits. At least 2048 bits are required.",
                        "requests[2]: This is not a certificate signing request (PEM or DER)."]
    assert api.post("/certificates/batch", {"profile": "official", "requests": []}).status_code == 422
    too_many = {"profile": "tls-client", "requests": [{"csr_pem": "x"}] * (services.MAX_BATCH + 1)}
    assert api.post("/certificates/batch", too_many).status_code == 422
    assert Certificate.objects.count() == before


def test_unknown_reason_and_serial(pki, api, ca_operator):
    cert = services.issue_from_csr(ca_operator, profile="tls-client", csr_data=make_csr())
    assert api.post(f"/certificates/{cert.serial}/revocation", {"reason": "certificateHold"}).status_code == 422
    assert api.get("/certificates/not-hex").status_code == 422
    assert api.post("/certificates/ffff/revocation", {"reason": "superseded"}).status_code == 404
