"""The hub's client API through Django's test client (the TLS layer is in test_tls.py): each operation,
and every kind of bad request refused with its ErrorCode, a message, nothing stored, an audit record."""

from __future__ import annotations

import pytest

from tests.factories import make_agency
from tests.hub.conftest import issue_node_certificate
from vanphong.core.models import AuditRecord
from vanphong.hub.models import Package
from vanphong.pki import services as pki

pytestmark = pytest.mark.django_db
API = "/hub/api/"
PACKAGE = b"<edXML>opaque, perhaps encrypted</edXML>"


def send(client, node, *, to, data=PACKAGE, doc_id="000.00.00.T27,2026/12/07,12/TU", message_type="edoc", **headers):
    base = {"HTTP_SERVICETYPE": "eDoc", "HTTP_MESSAGETYPE": message_type, "HTTP_DOCID": doc_id, "HTTP_TO": to,
            "CONTENT_LENGTH": str(len(data))}
    base.update(headers)
    meta = node.meta if node is not None else {}
    return client.post(API + "sendEdoc", data=data, content_type=headers.pop("content_type", "application/octet-stream"),
                       **{k: v for k, v in base.items() if v is not None}, **meta)


def call(client, node, operation, method="get", **headers):
    headers.setdefault("HTTP_SERVICETYPE", "eDoc")
    return getattr(client, method)(API + operation, **headers, **(node.meta if node is not None else {}))


def refusals():
    return AuditRecord.objects.filter(action="hub.request.refused").count()


def test_a_package_goes_from_one_node_to_the_other_once(client, node_a, node_b):
    sent = send(client, node_a, to="000.00.00.H40")
    assert sent.status_code == 201, sent.content
    body = sent.json()
    assert (body["status"], body["ErrorCode"]) == ("OK", "0")
    package_id = body["DocID"]

    assert call(client, node_b, "countReceiveEdoc").json()["total"] == 1
    assert call(client, node_b, "countReceiveStatus").json()["total"] == 0
    listed = call(client, node_b, "getReceivedEdocList").json()["data"]
    assert [(p["id"], p["from"], p["to"], p["docId"]) for p in listed] == [
        (package_id, "000.00.00.T27", "000.00.00.H40", "000.00.00.T27,2026/12/07,12/TU")]
    assert call(client, node_a, "getReceivedEdocList").json()["data"] == []  # the sender does not receive it

    fetched = call(client, node_b, "getEdoc", HTTP_DOCID=package_id)
    assert fetched.status_code == 200 and fetched["Content-Type"] == "application/octet-stream"
    assert fetched.content == PACKAGE and fetched["from"] == "000.00.00.T27"
    package = Package.objects.get(pk=package_id)
    assert package.fetch_count == 1 and package.last_fetched_by_certificate == node_b.certificate.serial

    acked = call(client, node_b, "acknowledgeEdoc", method="post", HTTP_DOCID=package_id)
    assert acked.json()["acknowledged"] == 1
    assert call(client, node_b, "getReceivedEdocList").json()["data"] == []
    assert call(client, node_b, "getEdoc", HTTP_DOCID=package_id).status_code == 404
    package.refresh_from_db()
    assert package.acknowledged_at is not None and bytes(package.data) == b""  # forwarded, not archived
    # Acknowledging again (a retry after a lost reply) is fine and changes nothing.
    assert call(client, node_b, "acknowledgeEdoc", method="post", HTTP_DOCID=package_id).json()["acknowledged"] == 0

    sent_list = call(client, node_a, "getSentEdocList").json()["data"]
    assert [(p["id"], p["acknowledgedAt"] is not None) for p in sent_list] == [(package_id, True)]
    actions = set(AuditRecord.objects.filter(action__startswith="hub.package.").values_list("action", flat=True))
    assert actions == {"hub.package.received", "hub.package.fetched", "hub.package.acknowledged"}


def test_the_same_package_sent_again_is_kept_once(client, node_a, node_b):
    first = send(client, node_a, to="000.00.00.H40").json()["DocID"]
    again = send(client, node_a, to="000.00.00.H40")
    assert again.status_code == 200 and again.json()["DocID"] == first and again.json()["duplicate"] is True
    assert Package.objects.count() == 1
    status = send(client, node_b, to="000.00.00.T27", message_type="status", data=b"<status 01/>")
    assert status.status_code == 201
    assert call(client, node_a, "countReceiveStatus").json()["total"] == 1
    assert call(client, node_a, "getReceivedEdocList", HTTP_MESSAGETYPE="edoc").json()["data"] == []


def test_a_vietnamese_document_id_travels_percent_encoded(client, node_a, node_b):
    send(client, node_a, to="000.00.00.H40", doc_id="000.00.00.T27,2026/12/07,12/Q%C4%90-TU")
    assert Package.objects.get().doc_id == "000.00.00.T27,2026/12/07,12/QĐ-TU"


@pytest.mark.parametrize(("headers", "code", "status", "words"), [
    ({"HTTP_SERVICETYPE": "SOAP"}, "1", 400, "servicetype"),
    ({"HTTP_SERVICETYPE": None}, "1", 400, "servicetype"),
    ({"HTTP_MESSAGETYPE": "letter"}, "1", 400, "messagetype"),
    ({"HTTP_DOCID": None}, "1", 400, "docId"),
    ({"HTTP_DOCID": "a\x01b"}, "1", 400, "docId"),
    ({"HTTP_TO": None}, "1", 400, "to header"),
    ({"HTTP_TO": "000.00.00.X99"}, "4", 422, "000.00.00.X99 is not served"),
    ({"HTTP_FROM": "000.00.00.H40"}, "3", 403, "may not send as 000.00.00.H40"),
    ({"content_type": "text/xml"}, "1", 400, "application/octet-stream"),
    ({"data": b""}, "1", 400, "empty"),
])
def test_bad_requests_are_refused_with_nothing_stored(client, node_a, node_b, headers, code, status, words):
    headers = dict(headers)
    kwargs = {"data": headers.pop("data")} if "data" in headers else {}
    if "content_type" in headers:
        response = client.post(API + "sendEdoc", data=PACKAGE, content_type=headers.pop("content_type"), HTTP_SERVICETYPE="eDoc",
                               HTTP_MESSAGETYPE="edoc", HTTP_DOCID="x", HTTP_TO="000.00.00.H40", **node_a.meta)
    else:
        response = send(client, node_a, to=headers.pop("HTTP_TO", "000.00.00.H40"), **kwargs, **headers)
    assert response.status_code == status, response.content
    body = response.json()
    assert (body["status"], body["ErrorCode"]) == ("FAIL", code)
    assert words in body["ErrorDesc"]
    assert Package.objects.count() == 0
    assert AuditRecord.objects.filter(action="hub.request.refused", data__code=code).count() == 1


def test_a_package_over_the_limit_is_refused_before_it_is_read(client, node_a, node_b, settings):
    settings.VANPHONG_HUB_MAX_PACKAGE_BYTES = 1000
    response = send(client, node_a, to="000.00.00.H40", data=b"x" * 1001)
    assert response.status_code == 413
    assert response.json()["ErrorCode"] == "5" and "1,000" in response.json()["ErrorDesc"]
    assert Package.objects.count() == 0
    assert send(client, node_a, to="000.00.00.H40", data=b"x" * 1000).status_code == 201


def test_callers_without_a_good_node_certificate_are_refused(client, ca, node_a, node_b, member_a, tmp_path):
    assert send(client, None, to="000.00.00.H40").json()["ErrorCode"] == "2"
    assert send(client, None, to="000.00.00.H40", **{"vanphong.tls_client_certificate": b"not DER"}).status_code == 401
    # A header cannot stand in for the certificate: headers reach Django as HTTP_*.
    assert client.get(API + "getReceivedEdocList", HTTP_SERVICETYPE="eDoc",
                      **{"HTTP_VANPHONG.TLS_CLIENT_CERTIFICATE": node_b.der}).status_code == 401

    seal = issue_node_certificate(tmp_path, profile="agency-seal", agency=member_a.agency, name="seal-a")
    refused = send(client, seal, to="000.00.00.H40")
    assert refused.status_code == 401 and "not a node client certificate" in refused.json()["ErrorDesc"]

    stranger = make_agency("000.00.00.K01", "Sở Nội vụ", "SNV")
    outsider = issue_node_certificate(tmp_path, agency=stranger, name="node-k")
    assert "not served by this hub" in send(client, outsider, to="000.00.00.H40").json()["ErrorDesc"]
    unnamed = issue_node_certificate(tmp_path, agency=None, name="node-x")
    assert "names no agency" in send(client, unnamed, to="000.00.00.H40").json()["ErrorDesc"]

    pki.revoke(None, node_a.certificate, reason="keyCompromise")
    revoked = send(client, node_a, to="000.00.00.H40")
    assert revoked.status_code == 401 and "revoked" in revoked.json()["ErrorDesc"]
    assert Package.objects.count() == 0
    assert refusals() == 7


def test_a_node_reads_and_acknowledges_only_its_own_packages(client, node_a, node_b):
    package_id = send(client, node_a, to="000.00.00.H40").json()["DocID"]
    other = call(client, node_a, "getEdoc", HTTP_DOCID=package_id)  # the sender is not the recipient
    assert other.status_code == 404 and other.json()["ErrorCode"] == "6"
    refused = call(client, node_a, "acknowledgeEdoc", method="post", HTTP_DOCID=package_id)
    assert refused.status_code == 404
    assert call(client, node_b, "getEdoc", HTTP_DOCID="not-an-id").json()["ErrorCode"] == "1"
    assert call(client, node_b, "acknowledgeEdoc", method="post").json()["ErrorCode"] == "1"
    package = Package.objects.get()
    assert package.fetch_count == 0 and package.acknowledged_at is None
    # One bad id among good ones: nothing is acknowledged.
    mixed = call(client, node_b, "acknowledgeEdoc", method="post", HTTP_DOCID=f"{package_id},00000000-0000-0000-0000-000000000000")
    assert mixed.status_code == 404
    package.refresh_from_db()
    assert package.acknowledged_at is None


def test_list_limits_and_methods(client, node_a, node_b):
    for n in range(3):
        send(client, node_a, to="000.00.00.H40", data=PACKAGE + bytes([n]))
    assert len(call(client, node_b, "getReceivedEdocList", QUERY_STRING="limit=2").json()["data"]) == 2
    assert call(client, node_b, "getReceivedEdocList", QUERY_STRING="limit=0").json()["ErrorCode"] == "1"
    assert call(client, node_b, "getReceivedEdocList", QUERY_STRING="limit=x").status_code == 400
    assert client.get(API + "sendEdoc", **node_a.meta).status_code == 405


def test_node_reports_are_kept_and_bad_ones_refused(client, node_a, node_b):
    from vanphong.hub.models import NodeReport

    good = {"outboxDepth": 3, "inboxDepth": 1, "oldestUndeliveredAt": "2026-12-07T01:00:00+07:00",
            "certificates": [{"serial": "ab12", "profile": "tls-client", "notAfter": "2027-12-01T00:00:00+00:00"}]}
    for bad in ({"outboxDepth": -1}, {"outboxDepth": "many"}, {"oldestUndeliveredAt": "yesterday"},
                {"certificates": [{"serial": "ab12"}]}, [1, 2]):
        response = client.post(API + "reportNodeStatus", data=bad, content_type="application/json", HTTP_SERVICETYPE="eDoc",
                               **node_a.meta)
        assert response.status_code == 400 and response.json()["ErrorCode"] == "1", bad
    assert not NodeReport.objects.exists()
    response = client.post(API + "reportNodeStatus", data=good, content_type="application/json", HTTP_SERVICETYPE="eDoc",
                           **node_a.meta)
    assert response.status_code == 200, response.content
    report = NodeReport.objects.get()
    assert (report.member.agency.code, report.outbox_depth, report.inbox_depth) == ("000.00.00.T27", 3, 1)
    assert report.certificates == [{"serial": "ab12", "profile": "tls-client", "not_after": "2027-12-01T00:00:00+00:00"}]


def test_the_directory_lists_the_served_agencies_with_their_certificates(client, node_a, node_b):
    entries = call(client, node_b, "getAgencies").json()["data"]
    assert [(e["code"], e["endpoint"]) for e in entries] == [("000.00.00.H40", ""), ("000.00.00.T27", "https://tu-bacninh.example.vn/hub/")]
    assert [c["serial"] for c in entries[1]["certificates"]] == [node_a.certificate.serial]
