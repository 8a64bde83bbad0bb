"""The hub behind its own TLS (gunicorn, `vanphong hub serve`'s command) with certificates from our CA,
called with plain HTTPS: the client certificate reaches the node API only through the TLS layer; one
from another CA fails the handshake; a revoked one is refused; nothing is stored for either."""

from __future__ import annotations

import datetime as dt

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.hub.conftest import write_key
from tests.hub.tls_server import start_hub
from vanphong.hub.models import Package
from vanphong.pki import services as pki

pytestmark = pytest.mark.django_db(transaction=True)
A, B = "000.00.00.T27", "000.00.00.H40"


@pytest.fixture
def hub(ca, member_a, member_b, tmp_path):
    live = start_hub(tmp_path, ca, VANPHONG_HUB_MAX_PACKAGE_BYTES="4096")
    yield live
    live.stop()


def node_call(hub, ca, node, method, operation, **kwargs):
    headers = {"servicetype": "eDoc", "Accept-Language": "en", **kwargs.pop("headers", {})}
    return requests.request(method, hub.url + operation, headers=headers, verify=str(ca), timeout=20,
                            cert=(str(node.cert_path), str(node.key_path)), **kwargs)


def send(hub, ca, node, data=b"<edXML/>", **headers):
    return node_call(hub, ca, node, "POST", "sendEdoc", data=data, headers={
        "Content-Type": "application/octet-stream", "messagetype": "edoc", "docId": f"{A},2026/12/07,45-CV/VPTW", "to": B, **headers})


def test_a_package_crosses_the_hub_over_mutual_tls(hub, ca, node_a, node_b):
    sent = send(hub, ca, node_a)
    assert sent.status_code == 201, sent.text
    package_id = sent.json()["DocID"]
    listed = node_call(hub, ca, node_b, "GET", "getReceivedEdocList").json()["data"]
    assert [(p["id"], p["from"]) for p in listed] == [(package_id, A)]
    fetched = node_call(hub, ca, node_b, "GET", "getEdoc", headers={"docId": package_id})
    assert fetched.content == b"<edXML/>"
    assert node_call(hub, ca, node_b, "POST", "acknowledgeEdoc", headers={"docId": package_id}).json()["acknowledged"] == 1
    package = Package.objects.get(pk=package_id)
    assert package.sent_by_certificate == node_a.certificate.serial
    assert package.last_fetched_by_certificate == node_b.certificate.serial and package.acknowledged_at is not None


def test_a_node_may_not_send_as_another_agency_nor_over_the_limit(hub, ca, node_a, node_b):
    refused = send(hub, ca, node_a, **{"from": B, "to": A})
    assert refused.status_code == 403 and "may not send as 000.00.00.H40" in refused.json()["ErrorDesc"]
    too_big = send(hub, ca, node_a, data=b"x" * 4097)
    assert too_big.status_code == 413 and too_big.json()["ErrorCode"] == "5"
    assert send(hub, ca, node_a, to="000.00.00.X99").json()["ErrorCode"] == "4"
    assert Package.objects.count() == 0


def test_a_revoked_node_certificate_is_refused(hub, ca, node_a):
    assert node_call(hub, ca, node_a, "GET", "countReceiveEdoc").json()["total"] == 0
    pki.revoke(None, node_a.certificate, reason="keyCompromise")
    refused = send(hub, ca, node_a)
    assert refused.status_code == 401 and "revoked" in refused.json()["ErrorDesc"]
    in_vietnamese = send(hub, ca, node_a, **{"Accept-Language": "vi"})
    assert "đã bị thu hồi" in in_vietnamese.json()["ErrorDesc"]
    assert Package.objects.count() == 0


def test_a_client_certificate_from_another_ca_fails_the_handshake(hub, ca, node_a, tmp_path):
    """It names agency A in every way (organizationIdentifier, a CA of the same name) but our CA did not issue it."""
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, "node-a"), x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, A)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "VănPhòng Mạng thử")]))
        .public_key(key.public_key()).serial_number(node_a.certificate.serial_number)
        .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256()))
    cert_path = tmp_path / "foreign.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path = write_key(key, tmp_path / "foreign.key")
    with pytest.raises(requests.exceptions.SSLError):
        requests.post(hub.url + "sendEdoc", data=b"x", cert=(str(cert_path), str(key_path)), verify=str(ca), timeout=20,
                      headers={"servicetype": "eDoc", "messagetype": "edoc", "docId": "1", "to": B,
                               "Content-Type": "application/octet-stream"})
    assert Package.objects.count() == 0


def test_without_a_client_certificate_pages_answer_but_the_node_api_does_not(hub, ca):
    assert requests.get(hub.origin + "/health", verify=str(ca), timeout=10).status_code == 200
    refused = requests.get(hub.url + "getReceivedEdocList", headers={"servicetype": "eDoc"}, verify=str(ca), timeout=10)
    assert refused.status_code == 401 and refused.json()["ErrorCode"] == "2"
    # A header naming a certificate is nothing: only the TLS layer's own key counts.
    forged = requests.get(hub.url + "getReceivedEdocList", verify=str(ca), timeout=10,
                          headers={"servicetype": "eDoc", "vanphong.tls_client_certificate": "MIIB"})
    assert forged.status_code == 401
