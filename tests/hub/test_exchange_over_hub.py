"""The exchange end to end through a live hub over mutual TLS: agency A's worker sends its signed package
with the "hub" transport, agency B's inbox fetches it from the hub, verifies it and answers 01 through the
hub; B's clerk registers it and 03 comes back the same way. (One database plays both nodes and the hub; the
hub is a real gunicorn process with TLS, and every package crosses it.)"""

from __future__ import annotations

import shutil

import pytest

from tests.exchange.helpers import issued_document
from tests.factories import make_person
from tests.hub.conftest import issue_node_certificate
from tests.hub.tls_server import start_hub
from tests.pki.conftest import _fast_passwords  # noqa: F401
from tests.signing.conftest import pki  # noqa: F401
from vanphong.exchange import cycle, services
from vanphong.exchange.models import ExchangeEndpoint, InboundPackage, Receipt
from vanphong.hub.models import Package
from vanphong.pki import services as pki_services

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ca(pki):  # noqa: F811 - the signing tests' CA issues the seals and the node certificates alike
    return pki.chain_pem


@pytest.fixture
def network(settings, ca, ca_operator, member_a, member_b, tmp_path):
    folder = tmp_path / "client-certs"
    folder.mkdir()
    for member in (member_a, member_b):
        agency = member.agency
        pki_services.issue_with_held_key(ca_operator, profile="agency-seal", holder_agency=agency)
        node = issue_node_certificate(tmp_path, agency=agency, name=f"node-{agency.code}")
        shutil.copy(node.cert_path, folder / f"{agency.code}.pem")
        shutil.copy(node.key_path, folder / f"{agency.code}.key")
        # Each agency is reached through the hub, and collects what waits for it there.
        ExchangeEndpoint.objects.create(agency=agency, transport="hub")
    live = start_hub(tmp_path, ca)
    settings.VANPHONG_EXCHANGE_HUB_URL = live.url
    settings.VANPHONG_EXCHANGE_CA_FILE = str(ca)
    settings.VANPHONG_EXCHANGE_CLIENT_CERT_DIR = str(folder)
    yield live
    live.stop()


def test_a_document_and_its_receipts_cross_the_hub(network, clerk_a, agency_b):
    clerk_b = make_person(agency_b, "vanthu.b", "Hoàng Thị Văn Thư", roles=["clerk"])
    document = issued_document(clerk_a, [agency_b])
    outcome = cycle.run_once()
    assert outcome["accepted"] == 1 and outcome["refused"] == 0, outcome
    edoc = Package.objects.get(message_type="edoc")
    assert (edoc.sender.agency.code, edoc.recipient.agency.code) == ("000.00.00.T27", "000.00.00.H40")
    assert edoc.acknowledged_at is not None  # B's inbox took it and acknowledged it at the hub
    # Sent and fetched over TLS, each node with its own agency's client certificate.
    assert edoc.sent_by_certificate and edoc.last_fetched_by_certificate and edoc.sent_by_certificate != edoc.last_fetched_by_certificate
    received = InboundPackage.objects.get(agency=agency_b)
    assert received.transport == "hub" and received.verification["valid"] is True

    cycle.run_once()  # 01 travels back through the hub
    assert [r.code for r in Receipt.objects.filter(package__document=document)] == ["01"]
    services.register_received(clerk_b, received, doc_type="QĐ")
    cycle.run_once()
    cycle.run_once()
    assert [r.code for r in Receipt.objects.filter(package__document=document).order_by("code")] == ["01", "03"]
    statuses = Package.objects.filter(message_type="status")
    assert statuses.count() == 2 and not statuses.filter(acknowledged_at__isnull=True).exists()
