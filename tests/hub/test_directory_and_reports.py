"""A node syncs its directory from a live hub over mutual TLS and reports its health to it."""

from __future__ import annotations

import shutil

import pytest

from tests.factories import make_agency
from tests.hub.conftest import issue_node_certificate
from tests.hub.tls_server import start_hub
from vanphong.cli import main
from vanphong.core.models import AuditRecord
from vanphong.exchange.models import ExchangeEndpoint
from vanphong.hub import node_directory, services
from vanphong.hub.models import NodeReport
from vanphong.org.models import Agency
from vanphong.pki import services as pki

pytestmark = pytest.mark.django_db(transaction=True)
A, B, C = "000.00.00.T27", "000.00.00.H40", "000.00.00.G22"


@pytest.fixture
def hub(ca, member_a, member_b, tmp_path):
    live = start_hub(tmp_path, ca)
    yield live
    live.stop()


@pytest.fixture
def node_settings(settings, hub, ca, node_a, tmp_path):
    """This process plays agency A's node, configured for the live hub."""
    folder = tmp_path / "client-certs"
    folder.mkdir()
    shutil.copy(node_a.cert_path, folder / f"{A}.pem")
    shutil.copy(node_a.key_path, folder / f"{A}.key")
    settings.VANPHONG_EXCHANGE_HUB_URL = hub.url
    settings.VANPHONG_EXCHANGE_CA_FILE = str(ca)
    settings.VANPHONG_EXCHANGE_CLIENT_CERT_DIR = str(folder)
    return settings


def test_a_node_takes_the_hubs_directory(node_settings, capsys, english_shell, tmp_path):
    # C is an agency the hub serves whose node is elsewhere: the hub publishes its seal certificate.
    agency_c = make_agency(C, "Văn phòng Chính phủ", "VPCP", hosted=False)
    services.serve_agency(None, agency_c, endpoint="https://vpcp.example.vn/hub/api/")
    seal = pki.issue_with_held_key(None, profile="agency-seal", holder_agency=agency_c)
    assert main(["hub", "directory", "sync", "--json"]) == 0
    out = capsys.readouterr().out
    assert '"hosted_here": [\n    "000.00.00.H40",\n    "000.00.00.T27"\n  ]' in out
    endpoint = ExchangeEndpoint.objects.get(agency=agency_c)
    assert (endpoint.transport, endpoint.certificate_pem) == ("hub", seal.certificate_pem)
    assert AuditRecord.objects.filter(action="hub.directory.synced").count() == 1


def test_directory_entries_create_update_and_refuse(agency_a, tmp_path):
    make_agency(C, "Tên cũ", "Cũ", hosted=False)
    report = node_directory.sync_directory(None, [
        {"code": A, "name": "Not our name"},  # hosted here: ours, never overwritten
        {"code": C, "name": "Văn phòng Chính phủ", "shortName": "VPCP", "notationCode": "VPCP"},
        {"code": "000.00.00.H41", "name": "Sở Tư pháp", "shortName": "STP", "notationCode": "STP", "endpoint": "https://stp.example/"},
        {"code": "not a code", "name": "Bad"},
        {"code": "000.00.00.H42", "name": ""},
        "not an entry",
    ])
    assert report.hosted_here == [A] and Agency.objects.get(code=A).name == "Tỉnh ủy Bắc Ninh"
    assert report.updated == [C] and Agency.objects.get(code=C).short_name == "VPCP"
    assert report.created == ["000.00.00.H41"] and not Agency.objects.get(code="000.00.00.H41").hosted
    assert [code for code, _reason in report.invalid] == ["NOT A CODE", "000.00.00.H42", "—"]
    assert not Agency.objects.filter(code__in=["NOT A CODE", "000.00.00.H42"]).exists()
    again = node_directory.sync_directory(None, [{"code": C, "name": "Văn phòng Chính phủ", "shortName": "VPCP", "notationCode": "VPCP"}])
    assert again.unchanged == [C] and again.not_in_hub == ["000.00.00.H41"]


def test_a_node_reports_its_health_to_the_hub(node_settings, node_a, capsys, english_shell):
    assert main(["hub", "report"]) == 0
    assert "Reported 000.00.00.T27" in capsys.readouterr().out
    report = NodeReport.objects.get(member__agency__code=A)
    assert report.outbox_depth == 0 and report.inbox_depth == 0 and report.oldest_undelivered_at is None
    assert [(c["serial"], c["profile"]) for c in report.certificates] == [(node_a.certificate.serial, "tls-client")]


def test_a_node_without_certificates_or_hub_says_so(settings, agency_a, tmp_path, capsys, english_shell, ca):
    settings.VANPHONG_EXCHANGE_HUB_URL = "https://127.0.0.1:9/hub/api/"
    settings.VANPHONG_EXCHANGE_CA_FILE = str(ca)
    settings.VANPHONG_EXCHANGE_CLIENT_CERT_DIR = str(tmp_path)
    assert main(["hub", "report"]) == 2
    assert "No hosted agency has a node client certificate" in capsys.readouterr().err
    node = issue_node_certificate(tmp_path, agency=agency_a, name="node-a")
    shutil.copy(node.cert_path, tmp_path / f"{A}.pem")
    shutil.copy(node.key_path, tmp_path / f"{A}.key")
    assert main(["hub", "directory", "sync"]) == 1  # nothing listens there: worth trying again
    assert "could not be reached" in capsys.readouterr().err


def test_the_worker_reports_and_syncs_on_its_own_when_a_hub_is_set(node_settings, node_a, settings):
    from django_tasks_db.models import DBTaskResult

    from vanphong.hub import tasks

    def waiting():
        return sorted(DBTaskResult.objects.filter(status="READY").values_list("task_path", flat=True))

    assert tasks.report_to_hub.call() == {A: ""}
    assert NodeReport.objects.get().member.agency.code == A
    assert sorted(tasks.sync_directory_from_hub.call()["hosted_here"]) == [B, A]
    assert waiting() == ["vanphong.hub.tasks.report_to_hub", "vanphong.hub.tasks.sync_directory_from_hub"]  # the next runs
    DBTaskResult.objects.all().delete()
    settings.VANPHONG_EXCHANGE_HUB_URL = ""
    tasks.on_worker_started()
    # A node without a hub has nothing to report to; every instance scans for alerts and purges (as a hub).
    assert waiting() == ["vanphong.hub.tasks.purge_acknowledged_packages", "vanphong.hub.tasks.scan_network_alerts"]
    settings.VANPHONG_EXCHANGE_HUB_URL = "https://hub.example/hub/api/"
    tasks.on_worker_started()
    tasks.on_worker_started()  # a second worker starting adds nothing
    assert waiting() == ["vanphong.hub.tasks.purge_acknowledged_packages", "vanphong.hub.tasks.report_to_hub",
                         "vanphong.hub.tasks.scan_network_alerts", "vanphong.hub.tasks.sync_directory_from_hub"]
