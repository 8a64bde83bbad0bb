"""exchange.hub_client against a live hub over mutual TLS (gunicorn, certificates from our CA): the
"hub" and "https" transports send, fetch and acknowledge; every failure is a TransportError that
says whether trying again can help."""

from __future__ import annotations

import datetime as dt
import shutil
import socket
import threading

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.hub.conftest import write_key
from tests.hub.tls_server import free_port, start_hub
from vanphong.exchange import transport
from vanphong.exchange.hub_client import CertificateFolder, HubClient, HubTransport
from vanphong.exchange.transport import TransportError
from vanphong.hub.models import Package
from vanphong.pki import services as pki

pytestmark = pytest.mark.django_db(transaction=True)
A, B = "000.00.00.T27", "000.00.00.H40"


@pytest.fixture
def hub(ca, member_a, member_b, tmp_path):
    live = start_hub(tmp_path, ca, VANPHONG_HUB_MAX_PACKAGE_BYTES="4096")
    yield live
    live.stop()


def credentials(tmp_path, **nodes) -> CertificateFolder:
    """A node's folder of client certificates, one pair per agency code."""
    folder = tmp_path / "client-certs"
    folder.mkdir(parents=True, exist_ok=True)
    for code, node in nodes.items():
        shutil.copy(node.cert_path, folder / f"{code}.pem")
        shutil.copy(node.key_path, folder / f"{code}.key")
    return CertificateFolder(folder)


def transport_for(hub, ca, folder) -> HubTransport:
    return HubTransport(HubClient(hub.url, ca_file=str(ca), credentials=folder))


def test_two_nodes_exchange_a_package_and_its_status_through_the_hub(hub, ca, node_a, node_b, tmp_path):
    sender = transport_for(hub, ca, credentials(tmp_path / "a", **{A: node_a}))
    receiver = transport_for(hub, ca, credentials(tmp_path / "b", **{B: node_b}))
    package_id = sender.send(b"<edXML>signed</edXML>", sender_code=A, recipient_code=B, message_type="edoc",
                             doc_id=f"{A},2026/12/07,45-CV/VPTW")
    assert sender.send(b"<edXML>signed</edXML>", sender_code=A, recipient_code=B, message_type="edoc",
                       doc_id=f"{A},2026/12/07,45-CV/VPTW") == package_id  # a resend after a lost reply
    assert receiver.client.count(B, "edoc") == 1
    deliveries = receiver.fetch(agency_code=B)
    assert [(d.id, d.message_type, d.data) for d in deliveries] == [(package_id, "edoc", b"<edXML>signed</edXML>")]
    receiver.acknowledge(agency_code=B, ids=[package_id])
    assert receiver.fetch(agency_code=B) == []

    status_id = receiver.send(b"<edXML>status 01</edXML>", sender_code=B, recipient_code=A, message_type="status",
                              doc_id=f"{A},2026/12/07,45-CV/VPTW")
    assert [(d.id, d.message_type) for d in sender.fetch(agency_code=A)] == [(status_id, "status")]
    assert [p["acknowledgedAt"] is not None for p in sender.client.sent_list(A)] == [True]
    assert Package.objects.get(pk=package_id).last_fetched_by_certificate == node_b.certificate.serial


def test_a_node_may_not_send_as_another_agency_nor_over_the_limit(hub, ca, node_a, node_b, tmp_path):
    client = HubClient(hub.url, ca_file=str(ca), credentials=credentials(tmp_path, **{A: node_a}))
    with pytest.raises(TransportError) as refused:
        # A's certificate, presented for a package that says it is from B
        client._call("POST", "sendEdoc", A, data=b"x", headers={"Content-Type": "application/octet-stream", "messagetype": "edoc",
                                                                 "docId": "1", "from": B, "to": A})
    assert not refused.value.retryable and "may not send as 000.00.00.H40" in refused.value.message
    with pytest.raises(TransportError) as too_big:
        client.send_edoc(b"x" * 4097, sender_code=A, recipient_code=B, message_type="edoc", doc_id="1")
    assert not too_big.value.retryable and "HTTP 413" in too_big.value.message
    with pytest.raises(TransportError) as unknown:
        client.send_edoc(b"x", sender_code=A, recipient_code="000.00.00.X99", message_type="edoc", doc_id="1")
    assert not unknown.value.retryable and "not served by this hub" in unknown.value.message
    assert Package.objects.count() == 0


def test_a_revoked_node_certificate_is_refused(hub, ca, node_a, tmp_path):
    client = HubClient(hub.url, ca_file=str(ca), credentials=credentials(tmp_path, **{A: node_a}))
    assert client.count(A, "edoc") == 0
    pki.revoke(None, node_a.certificate, reason="keyCompromise")
    with pytest.raises(TransportError) as refused:
        client.send_edoc(b"x", sender_code=A, recipient_code=B, message_type="edoc", doc_id="1")
    assert not refused.value.retryable and "revoked" in refused.value.message
    assert Package.objects.count() == 0


def _foreign_certificate(tmp_path):
    """A client certificate that names agency A in every way but comes from a CA of its own."""
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "VănPhòng Thử nghiệm")])
    cert = (x509.CertificateBuilder().subject_name(x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, "node-a"), x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, A)]))
        .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256()))
    folder = tmp_path / "foreign"
    folder.mkdir()
    (folder / f"{A}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    write_key(key, folder / f"{A}.key")
    return CertificateFolder(folder)


def test_a_client_certificate_from_another_ca_fails_the_handshake(hub, ca, node_a, tmp_path):
    client = HubClient(hub.url, ca_file=str(ca), credentials=_foreign_certificate(tmp_path))
    with pytest.raises(TransportError) as refused:
        client.send_edoc(b"x", sender_code=A, recipient_code=B, message_type="edoc", doc_id="1")
    assert not refused.value.retryable and "TLS connection" in refused.value.message  # a person must fix it
    assert Package.objects.count() == 0


def test_without_a_client_certificate_pages_answer_but_the_node_api_does_not(hub, ca):
    assert requests.get(hub.origin + "/health", verify=str(ca), timeout=10).status_code == 200
    refused = requests.get(hub.url + "getReceivedEdocList", headers={"servicetype": "eDoc"}, verify=str(ca), timeout=10)
    assert refused.status_code == 401 and refused.json()["ErrorCode"] == "2"
    # A header naming a certificate is nothing: only the TLS layer's own key counts.
    forged = requests.get(hub.url + "getReceivedEdocList", verify=str(ca), timeout=10,
                          headers={"servicetype": "eDoc", "vanphong.tls_client_certificate": "MIIB"})
    assert forged.status_code == 401


def test_a_hub_that_cannot_be_reached_is_worth_retrying(ca, node_a, tmp_path, settings):
    client = HubClient(f"https://127.0.0.1:{free_port()}/hub/api/", ca_file=str(ca), credentials=credentials(tmp_path, **{A: node_a}))
    with pytest.raises(TransportError) as down:
        client.send_edoc(b"x", sender_code=A, recipient_code=B, message_type="edoc", doc_id="1")
    assert down.value.retryable
    # Transports are found by name; a node without its settings says what is missing.
    settings.VANPHONG_EXCHANGE_HUB_URL, settings.VANPHONG_EXCHANGE_CA_FILE = "https://hub.example/hub/api/", str(ca)
    settings.VANPHONG_EXCHANGE_CLIENT_CERT_DIR = str(tmp_path / "client-certs")
    assert isinstance(transport.get("hub"), HubTransport)
    with pytest.raises(TransportError) as no_certificate:
        transport.get("hub").send(b"x", sender_code=B, recipient_code=A, message_type="edoc", doc_id="1")
    assert not no_certificate.value.retryable and "no client certificate for 000.00.00.H40" in no_certificate.value.message


def test_direct_https_sends_to_the_recipient_node_which_reads_its_own_store(hub, ca, node_a, node_b, tmp_path):
    """The live server plays agency B's node: B's directory address is its API; B receives from its own store."""
    from vanphong.exchange.hub_client import DirectTransport
    from vanphong.exchange.models import ExchangeEndpoint
    from vanphong.org.models import Agency

    ExchangeEndpoint.objects.create(agency=Agency.objects.get(code=B), transport="https", url=hub.url)
    direct = DirectTransport(ca_file=str(ca), credentials=credentials(tmp_path, **{A: node_a}))
    package_id = direct.send(b"<edXML>direct</edXML>", sender_code=A, recipient_code=B, message_type="edoc", doc_id="1")
    deliveries = direct.fetch(agency_code=B)
    assert [(d.id, d.data) for d in deliveries] == [(package_id, b"<edXML>direct</edXML>")]
    direct.acknowledge(agency_code=B, ids=[package_id])
    assert direct.fetch(agency_code=B) == []
    with pytest.raises(TransportError) as nowhere:
        direct.send(b"x", sender_code=B, recipient_code=A, message_type="edoc", doc_id="1")
    assert not nowhere.value.retryable and "no node address for 000.00.00.T27" in nowhere.value.message


def test_a_node_is_configured_by_its_environment(monkeypatch, tmp_path, ca):
    from vanphong.exchange.hub_client import node_setting

    monkeypatch.setenv("VANPHONG_EXCHANGE_HUB_URL", "https://truc.example.vn/hub/api/")
    monkeypatch.setenv("VANPHONG_EXCHANGE_CA_FILE", str(ca))
    monkeypatch.setenv("VANPHONG_EXCHANGE_CLIENT_CERT_DIR", str(tmp_path))
    assert node_setting("VANPHONG_EXCHANGE_HUB_URL") == "https://truc.example.vn/hub/api/"
    hub_transport = transport.get("hub")
    assert hub_transport.client.base_url == "https://truc.example.vn/hub/api/" and hub_transport.client.ca_file == str(ca)
    monkeypatch.delenv("VANPHONG_EXCHANGE_CA_FILE")
    with pytest.raises(TransportError) as unset:
        transport.get("hub")
    assert "VANPHONG_EXCHANGE_CA_FILE" in unset.value.message and not unset.value.retryable


def test_a_hub_that_asks_for_more_headers_gets_them(monkeypatch, tmp_path, ca, node_a):
    """The national hub identifies systems by headers of its own as well: VANPHONG_EXCHANGE_HUB_HEADERS carries them."""
    import json as json_module

    class Recording:
        def request(self, method, url, **kwargs):
            self.sent = kwargs["headers"]
            response = requests.Response()
            response.status_code, response._content = 200, json_module.dumps({"ErrorCode": "0", "total": 3}).encode()
            return response

    monkeypatch.setenv("VANPHONG_EXCHANGE_HUB_URL", "https://truc.example.vn/api/")
    monkeypatch.setenv("VANPHONG_EXCHANGE_CA_FILE", str(ca))
    monkeypatch.setenv("VANPHONG_EXCHANGE_CLIENT_CERT_DIR", str(credentials(tmp_path, **{A: node_a}).folder))
    monkeypatch.setenv("VANPHONG_EXCHANGE_HUB_HEADERS", '{"systemid": "vanphong-bn", "secret": "s3"}')
    hub_transport = transport.get("hub")
    hub_transport.client.session = recording = Recording()
    assert hub_transport.client.count(A, "edoc") == 3
    assert (recording.sent["systemid"], recording.sent["secret"], recording.sent["servicetype"]) == ("vanphong-bn", "s3", "eDoc")
    monkeypatch.setenv("VANPHONG_EXCHANGE_HUB_HEADERS", '["not", "an object"]')
    with pytest.raises(TransportError) as bad:
        transport.get("hub")
    assert "JSON object" in bad.value.message and not bad.value.retryable


def test_a_connection_cut_during_the_tls_handshake_is_worth_retrying(ca, node_a, tmp_path):
    """A server that dies, or a link that drops, while the handshake goes on ends the connection without a word
    about certificates: the network's fault, retried (it once gave up on the package, as for a refused certificate)."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def hang_up():
        for _attempt in range(2):
            connection, _address = listener.accept()
            connection.recv(1024)  # the ClientHello, then the connection ends
            connection.close()

    threading.Thread(target=hang_up, daemon=True).start()
    client = HubClient(f"https://127.0.0.1:{port}/hub/api/", ca_file=str(ca), credentials=credentials(tmp_path, **{A: node_a}))
    try:
        with pytest.raises(TransportError) as cut:
            client.send_edoc(b"x", sender_code=A, recipient_code=B, message_type="edoc", doc_id="1")
    finally:
        listener.close()
    assert cut.value.retryable and "could not be reached" in cut.value.message
    assert "EOF" in cut.value.message or "reset" in cut.value.message.lower()
