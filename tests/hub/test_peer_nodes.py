"""Direct HTTPS between two ordinary nodes: this node (hosting B, with its own CA) takes a package from
agency A's node, whose client certificate comes from the network's CA (the hub's, not this instance's):
it is accepted because the hub's directory lists it for A, and only to send, as A, to agencies hosted here."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from django.utils import timezone

from tests.factories import make_agency
from tests.hub.network_ca import NetworkCA, der
from tests.hub.network_ca import directory_entry as entry
from tests.hub.test_node_api import PACKAGE, call, send
from vanphong.core.models import AuditRecord
from vanphong.hub import directory, identity, node_directory, selectors, services
from vanphong.hub.identity import ENVIRON_KEY
from vanphong.hub.models import Member, Package
from vanphong.org.models import NodeCertificate

pytestmark = pytest.mark.django_db
A, B, C = "000.00.00.T27", "000.00.00.H40", "000.00.00.G22"


class Peer:
    def __init__(self, cert: x509.Certificate):
        self.cert = cert

    @property
    def meta(self) -> dict:
        return {ENVIRON_KEY: der(self.cert)}


@pytest.fixture
def network():
    return NetworkCA()


@pytest.fixture
def this_node(agency_b):
    """This node hosts B and takes packages for it directly (`vanphong hub member add` of its own agency)."""
    return services.serve_agency(None, agency_b)


@pytest.fixture
def peer_a(network, this_node):
    """A's node: A is in this node's directory (not hosted here), its node certificate synced from the hub."""
    make_agency(A, "Tỉnh ủy Bắc Ninh", "TU Bắc Ninh", notation_code="TU", hosted=False)
    cert = network.node_certificate("node-a")
    report = node_directory.sync_directory(None, [entry(A, cert)])
    assert report.node_certificates == 1
    return Peer(cert)


def refused(response, code: str, status: int, words: str) -> None:
    body = response.json()
    assert (response.status_code, body["status"], body["ErrorCode"]) == (status, "FAIL", code), body
    assert words in body["ErrorDesc"], body["ErrorDesc"]


def test_a_peer_in_the_directory_sends_to_an_agency_hosted_here(client, peer_a):
    node = identity.identify(der(peer_a.cert))
    assert (node.is_peer, node.agency_code, node.member, node.certificate_serial) == (True, A, None, format(peer_a.cert.serial_number, "x"))

    sent = send(client, peer_a, to=B, HTTP_FROM=A)
    assert sent.status_code == 201, sent.content
    package = Package.objects.get(pk=sent.json()["DocID"])
    assert (package.sender.agency.code, package.recipient.agency.code, bytes(package.data)) == (A, B, PACKAGE)
    assert package.sent_by_certificate == node.certificate_serial
    again = send(client, peer_a, to=B)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    record = AuditRecord.objects.get(action="hub.package.received")
    assert record.data["peer"] is True and record.data["from"] == A
    # The sender's row says A is not served here: not in the directory this node publishes, not a recipient.
    assert Member.objects.get(agency__code=A).is_active is False
    assert [e["code"] for e in directory.entries()] == [B]
    # This node's inbox collects it from its own store as any other package for B.
    waiting = selectors.waiting_packages(identity.local_identity(B))
    assert [p.pk for p in waiting] == [package.pk]


def test_a_peer_may_only_send(client, peer_a, this_node):
    package_id = send(client, peer_a, to=B).json()["DocID"]
    for operation, method, headers in [("getReceivedEdocList", "get", {}), ("getSentEdocList", "get", {}),
                                       ("getEdoc", "get", {"HTTP_DOCID": package_id}),
                                       ("acknowledgeEdoc", "post", {"HTTP_DOCID": package_id}),
                                       ("countReceiveEdoc", "get", {}), ("countReceiveStatus", "get", {}),
                                       ("getAgencies", "get", {}), ("reportNodeStatus", "post", {})]:
        refused(call(client, peer_a, operation, method=method, **headers), "3", 403, f"may only send packages (sendEdoc), not {operation}")
    package = Package.objects.get(pk=package_id)
    assert package.fetch_count == 0 and package.acknowledged_at is None
    assert AuditRecord.objects.filter(action="hub.request.refused", data__caller=A, data__code="3").count() == 8
    # The services say the same to any caller that reaches them.
    node = identity.identify(der(peer_a.cert))
    with pytest.raises(services.errors.HubError):
        services.fetch_package(node, package_id)
    with pytest.raises(services.errors.HubError):
        services.acknowledge(node, [package_id])
    assert list(selectors.waiting_packages(node)) == [] and list(selectors.sent_packages(node)) == []


def test_a_peer_sends_only_as_itself_and_only_to_agencies_hosted_here(client, peer_a, this_node):
    refused(send(client, peer_a, to=B, HTTP_FROM=B), "3", 403, f"may not send as {B}")
    # C is served by this instance as a hub, but its node is elsewhere: a peer may not route through here.
    agency_c = make_agency(C, "Văn phòng Chính phủ", "VPCP", hosted=False)
    services.serve_agency(None, agency_c)
    refused(send(client, peer_a, to=C), "3", 403, f"only for the agencies it hosts; {C} is not")
    refused(send(client, peer_a, to="000.00.00.X99"), "4", 422, "000.00.00.X99 is not served")
    assert Package.objects.count() == 0


def test_a_certificate_not_in_the_directory_is_refused(client, network, peer_a):
    stranger = Peer(network.node_certificate("node-k"))
    refused(send(client, stranger, to=B), "2", 401, "nor does the hub's directory list it")
    # The same certificate listed as a seal (or unreadable) is not a node certificate.
    node_directory.sync_directory(None, [entry(A, stranger.cert, profile="agency-seal"),
                                         {**entry(A), "certificates": [{"profile": "tls-client", "pem": "not PEM"}]}])
    refused(send(client, stranger, to=B), "2", 401, "nor does the hub's directory list it")
    assert Package.objects.count() == 0
    assert AuditRecord.objects.filter(action="hub.request.refused", data__code="2").count() == 2


def test_a_peer_certificate_outside_its_validity_is_refused(client, network, peer_a, monkeypatch):
    later = Peer(network.node_certificate("node-a-next", starts=dt.timedelta(days=2)))
    node_directory.sync_directory(None, [entry(A, peer_a.cert, later.cert)])
    assert NodeCertificate.objects.filter(agency__code=A).count() == 2
    refused(send(client, later, to=B), "2", 401, "is not valid at this time")
    # A year and a day on, A's certificate has expired (the next sync will drop it; until then it is refused).
    a_year_on = timezone.now() + dt.timedelta(days=366)
    monkeypatch.setattr(identity.timezone, "now", lambda: a_year_on)
    refused(send(client, peer_a, to=B), "2", 401, "is not valid at this time")
    assert Package.objects.count() == 0


def test_a_certificate_the_hub_no_longer_lists_is_dropped_at_the_next_sync(client, network, peer_a):
    assert send(client, peer_a, to=B).status_code == 201
    renewed = Peer(network.node_certificate("node-a-renewed"))
    report = node_directory.sync_directory(None, [entry(A, renewed.cert)])  # A's old certificate revoked at the hub
    assert (report.node_certificates, report.node_certificates_dropped) == (1, 1)
    refused(send(client, peer_a, to=B, data=b"another package"), "2", 401, "nor does the hub's directory list it")
    assert send(client, renewed, to=B, data=b"another package").status_code == 201
    replaced = AuditRecord.objects.filter(action="hub.directory.node_certificates_replaced").order_by("pk").last()
    assert replaced.data == {"code": A, "added": [format(renewed.cert.serial_number, "x")],
                             "dropped": [format(peer_a.cert.serial_number, "x")]}
    # An agency the hub no longer lists keeps its directory entry but loses its node certificates.
    gone = node_directory.sync_directory(None, [])
    assert gone.not_in_hub == [A] and gone.node_certificates_dropped == 1
    assert not NodeCertificate.objects.exists()
    refused(send(client, renewed, to=B, data=b"a third package"), "2", 401, "nor does the hub's directory list it")


def test_a_peer_of_an_agency_no_longer_active_is_refused(client, peer_a):
    from vanphong.org.models import Agency

    Agency.objects.filter(code=A).update(is_active=False)
    refused(send(client, peer_a, to=B), "2", 401, f"{A} is no longer active")


def test_the_hosted_agencies_own_certificates_are_never_taken_from_the_hub(network, this_node):
    own = network.node_certificate("node-b")
    report = node_directory.sync_directory(None, [entry(B, own, name="Ủy ban nhân dân tỉnh Nghệ An")])
    assert report.hosted_here == [B] and report.node_certificates == 0
    with pytest.raises(identity.NotAuthenticated):
        identity.identify(der(own))
