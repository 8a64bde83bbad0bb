"""The OCSP responder as the production server runs it: vanphong.wsgi.application answers its
paths ahead of Django, reuses answers without a nonce while the status stays, and shows a
revocation at once."""

import base64
import io
import urllib.parse

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp

from tests.pki.conftest import make_csr
from vanphong.pki import ocsp as responder
from vanphong.pki import services
from vanphong.wsgi import application

# Real connections and commits, as under the server: the mount opens and closes them itself.
pytestmark = pytest.mark.django_db(transaction=True)


def call(method: str, path: str, body: bytes = b"") -> tuple[str, dict, bytes]:
    seen = {}

    def start_response(status, headers):
        seen["status"], seen["headers"] = status, dict(headers)

    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
               "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
               "wsgi.errors": io.StringIO(), "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": "application/ocsp-request"}
    body = b"".join(application(environ, start_response))
    return seen["status"], seen["headers"], body


def ask(cert, issuer, *, nonce: bool = False, method: str = "POST") -> bytes:
    builder = ocsp.OCSPRequestBuilder().add_certificate(cert.x509, issuer.x509, hashes.SHA256())
    if nonce:
        builder = builder.add_extension(x509.OCSPNonce(b"0123456789abcdef"), critical=False)
    der = builder.build().public_bytes(serialization.Encoding.DER)
    if method == "POST":
        status, headers, body = call("POST", "/pki/ocsp", der)
    else:
        status, headers, body = call("GET", "/pki/ocsp/" + base64.b64encode(der).decode())
    assert status == "200 OK" and headers["Content-Type"] == "application/ocsp-response"
    assert "Content-Security-Policy" not in headers  # answered ahead of Django's middleware
    return body


def status_of(body: bytes):
    parsed = ocsp.load_der_ocsp_response(body)
    assert parsed.response_status == ocsp.OCSPResponseStatus.SUCCESSFUL
    return parsed.certificate_status


@pytest.fixture
def leaf(pki, ca_operator):
    responder.forget()
    return services.issue_from_csr(ca_operator, profile="tls-client", csr_data=make_csr())


@pytest.fixture(autouse=True)
def _listener_stopped(monkeypatch):
    monkeypatch.setattr(responder, "LISTENER_CHECK_SECONDS", 0.05)
    yield
    responder.stop_listening()  # its connection would keep the test database from being dropped


def test_answers_without_a_nonce_are_reused_until_the_status_changes(pki, ca_operator, leaf):
    first = ask(leaf, pki.issuing)
    assert status_of(first) == ocsp.OCSPCertStatus.GOOD
    assert ask(leaf, pki.issuing) == first  # the same signed answer, not a new signature
    assert ask(leaf, pki.issuing, method="GET") == first  # RFC 6960 A.1's GET form, same request

    services.revoke(ca_operator, leaf, reason="keyCompromise")
    revoked = ocsp.load_der_ocsp_response(ask(leaf, pki.issuing))
    assert revoked.certificate_status == ocsp.OCSPCertStatus.REVOKED  # at once: the kept "good" answer is not given
    assert revoked.revocation_reason == x509.ReasonFlags.key_compromise


def test_answers_with_a_nonce_are_signed_for_each_request(pki, leaf):
    first, second = ask(leaf, pki.issuing, nonce=True), ask(leaf, pki.issuing, nonce=True)
    assert first != second
    for body in (first, second):
        parsed = ocsp.load_der_ocsp_response(body)
        assert parsed.extensions.get_extension_for_class(x509.OCSPNonce).value.nonce == b"0123456789abcdef"


def test_bad_requests_and_other_paths(pki, leaf):
    status, _, body = call("POST", "/pki/ocsp", b"not a request")
    assert status == "200 OK" and ocsp.load_der_ocsp_response(body).response_status == ocsp.OCSPResponseStatus.MALFORMED_REQUEST
    status, _, body = call("GET", "/pki/ocsp/" + urllib.parse.quote("%%%not base64"))
    assert ocsp.load_der_ocsp_response(body).response_status == ocsp.OCSPResponseStatus.MALFORMED_REQUEST
    assert call("POST", "/pki/ocsp", b"x" * (responder.MAX_REQUEST_BYTES + 1))[0].startswith("413")
    assert call("GET", "/pki/ocsp")[0].startswith("405")
    assert call("PUT", "/pki/ocsp", b"x")[0].startswith("405")
    # Everything else is Django's: the health page, a page that wants a sign-in.
    status, headers, _ = call("GET", "/health")
    assert status.startswith("200") and "Content-Security-Policy" in headers
    assert call("GET", "/pki/ocspx")[0].startswith("404")
    assert call("GET", "/documents/incoming/")[0].startswith("302")


def test_a_connection_broken_between_requests_is_replaced_without_a_health_check_query(pki, leaf, monkeypatch):
    """The responder skips Django's per-request health check (CONN_HEALTH_CHECKS: a `SELECT 1` on PostgreSQL); a
    connection that broke since the last request fails the answer's own query, which is asked again on a new
    connection."""
    from django.db import connection, connections

    checks = []
    wrapper = type(connections["default"])
    is_usable = wrapper.is_usable
    monkeypatch.setattr(wrapper, "is_usable", lambda self: checks.append(1) or is_usable(self))
    assert status_of(ask(leaf, pki.issuing, nonce=True)) == ocsp.OCSPCertStatus.GOOD  # the connection is open now
    assert status_of(ask(leaf, pki.issuing, nonce=True)) == ocsp.OCSPCertStatus.GOOD
    assert checks == []
    call("GET", "/health")  # Django's own pages still check
    assert checks == [1]
    connection.connection.close()  # broken under Django's feet, as a restarted database server would leave it
    assert status_of(ask(leaf, pki.issuing, nonce=True)) == ocsp.OCSPCertStatus.GOOD


def test_a_connection_past_its_age_or_after_an_error_is_closed_before_the_next_answer(pki, leaf, monkeypatch):
    """What Django's close_old_connections does at each request, the responder does too (CONN_MAX_AGE)."""
    import time

    from django.db import connection

    closed = []
    close = connection.close
    monkeypatch.setattr(connection, "close", lambda: closed.append(1) or close())
    connection.ensure_connection()
    connection.close_at = time.monotonic() - 1  # past its age
    assert status_of(ask(leaf, pki.issuing, nonce=True)) == ocsp.OCSPCertStatus.GOOD
    assert len(closed) == 1
    assert status_of(ask(leaf, pki.issuing, nonce=True)) == ocsp.OCSPCertStatus.GOOD
    assert len(closed) == 1  # a connection within its age is kept
    connection.ensure_connection()
    connection.set_autocommit(False)  # left so by a failed request: Django drops such a connection rather than reuse it
    assert status_of(ask(leaf, pki.issuing, nonce=True)) == ocsp.OCSPCertStatus.GOOD
    assert len(closed) == 2
    connection.ensure_connection()
    assert connection.get_autocommit()


def test_statuses_are_kept_only_while_changes_are_announced(pki, ca_operator, leaf):
    """The server's processes keep the statuses they read while they hear, on a connection of their own, of every change;
    a revocation made elsewhere (here: by another connection, as another process would) shows as soon as its notice
    arrives, and a kept status is never given without a listener."""
    import time

    import psycopg
    from django.db import connection

    if connection.vendor != "postgresql":
        # Nothing announces changes on SQLite: no status is kept, so a revocation written past the services shows at once.
        assert status_of(ask(leaf, pki.issuing, nonce=True)) == ocsp.OCSPCertStatus.GOOD
        assert not responder._listening and not responder._statuses
        with connection.cursor() as cursor:
            cursor.execute("UPDATE pki_certificate SET status = 'revoked', revoked_at = CURRENT_TIMESTAMP, "
                           "revocation_reason = 'keyCompromise' WHERE id = %s", [leaf.pk])
        assert status_of(ask(leaf, pki.issuing, nonce=True)) == ocsp.OCSPCertStatus.REVOKED
        return
    assert status_of(ask(leaf, pki.issuing, nonce=True)) == ocsp.OCSPCertStatus.GOOD
    deadline = time.monotonic() + 10
    while not responder._listening and time.monotonic() < deadline:
        time.sleep(0.01)
    assert responder._listening
    assert status_of(ask(leaf, pki.issuing, nonce=True)) == ocsp.OCSPCertStatus.GOOD
    assert (leaf.ca_id, leaf.serial_number) in responder._statuses  # kept: no query for the next answer

    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as elsewhere:
        elsewhere.execute("UPDATE pki_certificate SET status = 'revoked', revoked_at = now(), revocation_reason = 'keyCompromise' "
                          "WHERE id = %s", [leaf.pk])
        elsewhere.execute(f"NOTIFY {responder.STATUS_CHANNEL}")  # what services.revoke sends with its commit
    deadline = time.monotonic() + 10
    while status_of(ask(leaf, pki.issuing, nonce=True)) != ocsp.OCSPCertStatus.REVOKED and time.monotonic() < deadline:
        time.sleep(0.01)
    assert status_of(ask(leaf, pki.issuing, nonce=True)) == ocsp.OCSPCertStatus.REVOKED

    responder.stop_listening()
    assert not responder._listening and not responder._statuses  # without a listener, nothing kept is given
