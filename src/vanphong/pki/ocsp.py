"""The OCSP responder (RFC 6960): the status of one certificate, signed by the delegated OCSP
signer of the CA that issued it, with the request's nonce echoed.

Statuses: good (issued here, not revoked), revoked (with time and reason), unknown (a serial this
CA never issued). A request about a CA this instance does not run is answered "unauthorized".
Responses are not logged to the audit chain: they change nothing.

The responder answers thousands of requests a second (bench/pki.py), so its hot path is lean: the
CAs and their OCSP signers are kept in memory, a certificate's status is one indexed lookup, and
an answer without a nonce is reused while the status it states has not changed, for at most
REUSE_FOR (RFC 5019's pre-produced responses): signing is most of an answer's cost. The status is
read from the database, so a revocation shows at once. pki.status_wsgi serves this ahead of
Django's middleware.

On PostgreSQL the server's processes also keep the statuses they read (listen_for_status_changes):
that database round trip was then most of an answer's cost. A status is kept only while the
process listens on its own connection for the NOTIFY that services.revoke sends with its
commit (announce_status_change); each notice drops every kept status, as does a lost listening
connection, after which statuses are read again on every request until it is back. Only "good"
and "revoked" are kept: a revocation is final, and an unknown serial is asked again, since it may
be issued a moment later.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass
from functools import lru_cache

from asn1crypto import keys as asn1_keys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from django.db import connection, transaction
from django.utils import timezone

from vanphong.pki import selectors
from vanphong.pki.models import Certificate, CertificateAuthority, RevocationReason, serial_text

# How long a response may be relied on (its nextUpdate). Status changes reach the CRL and OCSP at
# once; a relying party that caches a response sees a revocation at most this late.
RESPONSE_LIFETIME = dt.timedelta(hours=1)
# How long a signed answer without a nonce is given again to whoever asks about the same, unchanged status.
REUSE_FOR = dt.timedelta(minutes=1)
# How long an OCSP signer is kept in memory before it is looked up again (it may have been renewed).
RESPONDER_KEPT_SECONDS = 60
HASH_ALGORITHMS = {"sha1", "sha224", "sha256", "sha384", "sha512"}
# Requests are a few hundred bytes; anything far larger is not one.
MAX_REQUEST_BYTES = 64 * 1024
# The PostgreSQL channel on which a change of a certificate's status is announced.
STATUS_CHANNEL = "vanphong_certificate_status"
# How often the listening connection is checked while no notice comes (a broken one stops the keeping of statuses).
LISTENER_CHECK_SECONDS = 2.0
MAX_KEPT_STATUSES = 100_000

logger = logging.getLogger(__name__)


def _unsuccessful(status: ocsp.OCSPResponseStatus) -> bytes:
    return ocsp.OCSPResponseBuilder.build_unsuccessful(status).public_bytes(serialization.Encoding.DER)


@lru_cache(maxsize=256)
def _cert_id_hashes(certificate_pem: str, algorithm_name: str) -> tuple[bytes, bytes]:
    """(issuerNameHash, issuerKeyHash) that a request names for this CA certificate (RFC 6960
    §4.1.1): the hash of the subject name, and of the public key's bits."""
    cert = x509.load_pem_x509_certificate(certificate_pem.encode("ascii"))
    algorithm = {"sha1": hashes.SHA1(), "sha224": hashes.SHA224(), "sha256": hashes.SHA256(),
                 "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}[algorithm_name]
    spki = cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    key_bits = asn1_keys.PublicKeyInfo.load(spki)["public_key"].contents[1:]  # without the unused-bits octet

    def digest(data: bytes) -> bytes:
        h = hashes.Hash(algorithm)
        h.update(data)
        return h.finalize()

    return digest(cert.subject.public_bytes()), digest(key_bits)


@dataclass(frozen=True)
class _Responder:
    certificate: x509.Certificate
    key: object  # pki.keys.SigningKey
    kept_until: float  # time.monotonic()
    not_after: dt.datetime


_lock = threading.Lock()
_cas: list[tuple[int, str]] = []  # (pk, certificate PEM) of every CA, reloaded when a request names none of them
_responders: dict[tuple[int, str], _Responder] = {}  # by (pk, PEM) of the CA: a pk may be reused by a new database
_answers: dict[tuple, tuple[bytes, dt.datetime]] = {}  # reusable answers: key -> (DER, produced at)
MAX_KEPT_ANSWERS = 20_000


def forget() -> None:
    """Drop what is kept in memory (tests; a CA or OCSP signer replaced in this process)."""
    with _lock:
        _cas.clear()
        _responders.clear()
        _answers.clear()
    _drop_kept_statuses()


# ---- statuses kept while a listener hears of every change ----------------------------------------

_statuses: dict[tuple[int, int], tuple] = {}  # (CA pk, serial) -> (status, revocation time, reason)
_statuses_lock = threading.Lock()
_statuses_generation = 0  # moved on by every drop: a status read before a drop is not kept after it
_listening = False
_listener: threading.Thread | None = None
_stop_listening = threading.Event()


def _drop_kept_statuses() -> None:
    global _statuses_generation
    with _statuses_lock:
        _statuses.clear()
        _statuses_generation += 1


def announce_status_change() -> None:
    """Called by every service that changes a certificate's status, inside its transaction: this process drops its kept
    statuses now and again at commit, the others when PostgreSQL delivers the NOTIFY, which it does at commit."""
    _drop_kept_statuses()
    transaction.on_commit(_drop_kept_statuses)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"NOTIFY {STATUS_CHANNEL}")


def listen_for_status_changes() -> None:
    """Start keeping statuses in this process (the server's, PostgreSQL only): a thread listens for changes on a
    connection of its own. Started after the server forked its workers, by pki.status_wsgi on the first request."""
    global _listener
    if connection.vendor != "postgresql" or _listener is not None:
        return
    with _statuses_lock:
        if _listener is not None:
            return
        _listener = threading.Thread(target=_listen, args=(dict(connection.get_connection_params()),), daemon=True,
                                     name="ocsp-status-listener")
    _listener.start()


def stop_listening() -> None:
    """Stop the listener and keep no more statuses (tests: the test database cannot be dropped while it is connected)."""
    global _listener
    thread = _listener
    if thread is None:
        return
    _stop_listening.set()
    thread.join()
    _listener = None
    _stop_listening.clear()


def _listen(params: dict) -> None:
    import psycopg

    global _listening
    # Keepalives: a connection that silently died is noticed, and statuses are no longer kept.
    params = {**params, "keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 2, "keepalives_count": 3}
    while not _stop_listening.is_set():
        try:
            with psycopg.connect(**params, autocommit=True) as listening:
                listening.execute(f"LISTEN {STATUS_CHANNEL}")
                _drop_kept_statuses()  # changes made while nobody listened
                _listening = True
                while not _stop_listening.is_set():
                    for _notice in listening.notifies(timeout=LISTENER_CHECK_SECONDS, stop_after=1):
                        _drop_kept_statuses()
                    listening.execute("SELECT 1")  # raises when the connection is gone
        except Exception:
            logger.warning("OCSP: the connection listening for status changes failed; statuses are read on every request until "
                           "it is back", exc_info=True)
        finally:
            _listening = False
            _drop_kept_statuses()
        _stop_listening.wait(1)


def _issuer(request: ocsp.OCSPRequest) -> tuple[int, str] | None:
    """(pk, certificate PEM) of the CA the request names, by the hashes of its name and key."""
    wanted = (request.issuer_name_hash, request.issuer_key_hash)
    for attempt in range(2):
        for ca in list(_cas):
            if _cert_id_hashes(ca[1], request.hash_algorithm.name) == wanted:
                return ca
        if attempt == 0:  # a CA made since this process last looked
            fresh = list(CertificateAuthority.objects.values_list("pk", "certificate_pem"))
            with _lock:
                _cas[:] = fresh
    return None


def _responder(ca: tuple[int, str]) -> _Responder | None:
    kept = _responders.get(ca)
    if kept is not None and kept.kept_until > time.monotonic() and kept.not_after > timezone.now():
        return kept
    row = selectors.service_certificate(CertificateAuthority(pk=ca[0]), "ocsp-signer")
    if row is None:
        _responders.pop(ca, None)
        return None
    kept = _Responder(row.x509, row.signing_key(), time.monotonic() + RESPONDER_KEPT_SECONDS, row.not_after)
    _responders[ca] = kept
    return kept


def respond_to_get(encoded: str) -> bytes:
    """RFC 6960 appendix A.1: GET {url}/{base64 of the DER request}, URL-decoded already."""
    try:
        der = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        der = b""  # answered as a malformed request
    return respond(der)


def respond(request_der: bytes) -> bytes:
    """DER OCSPResponse for a DER OCSPRequest."""
    try:
        request = ocsp.load_der_ocsp_request(request_der)
        algorithm = request.hash_algorithm.name  # raises for an algorithm that cryptography does not know
    except Exception:  # cryptography raises ValueError, or UnsupportedAlgorithm; both mean a request we cannot read
        return _unsuccessful(ocsp.OCSPResponseStatus.MALFORMED_REQUEST)
    if algorithm not in HASH_ALGORITHMS:
        return _unsuccessful(ocsp.OCSPResponseStatus.MALFORMED_REQUEST)
    ca = _issuer(request)
    if ca is None:
        return _unsuccessful(ocsp.OCSPResponseStatus.UNAUTHORIZED)
    ca_pk = ca[0]
    responder = _responder(ca)
    if responder is None:
        return _unsuccessful(ocsp.OCSPResponseStatus.TRY_LATER)
    try:
        nonce = request.extensions.get_extension_for_class(x509.OCSPNonce).value
    except x509.ExtensionNotFound:
        nonce = None

    status = _status(ca_pk, request.serial_number)
    now = timezone.now().replace(microsecond=0)
    key = (ca_pk, request.serial_number, algorithm, request.issuer_name_hash, request.issuer_key_hash, status,
           responder.certificate.serial_number)
    if nonce is None:
        kept = _answers.get(key)
        if kept is not None and now - kept[1] < REUSE_FOR:
            return kept[0]
    cert_status, revoked_at, reason = status
    builder = (
        ocsp.OCSPResponseBuilder()
        .add_response_by_hash(
            issuer_name_hash=request.issuer_name_hash, issuer_key_hash=request.issuer_key_hash, serial_number=request.serial_number,
            algorithm=request.hash_algorithm, cert_status=cert_status, this_update=now, next_update=now + RESPONSE_LIFETIME,
            revocation_time=revoked_at, revocation_reason=reason,
        )
        .responder_id(ocsp.OCSPResponderEncoding.HASH, responder.certificate)
        .certificates([responder.certificate])
    )
    if nonce is not None:
        builder = builder.add_extension(nonce, critical=False)
    der = responder.key.sign_builder(builder).public_bytes(serialization.Encoding.DER)
    if nonce is None:
        with _lock:
            if len(_answers) >= MAX_KEPT_ANSWERS:
                _answers.clear()
            _answers[key] = (der, now)
    return der


def _status(ca_pk: int, serial: int):
    """(status, revocation time, reason) of a serial issued by the CA `ca_pk`: kept, or read."""
    if not _listening:
        return _read_status(ca_pk, serial)
    key = (ca_pk, serial)
    kept = _statuses.get(key)
    if kept is not None:
        return kept
    generation = _statuses_generation
    status = _read_status(ca_pk, serial)
    if status[0] != ocsp.OCSPCertStatus.UNKNOWN:
        with _statuses_lock:
            # Not when a change was announced while reading: what was read may be from before it.
            if generation == _statuses_generation and _listening:
                if len(_statuses) >= MAX_KEPT_STATUSES:
                    _statuses.clear()
                _statuses[key] = status
    return status


def _read_status(ca_pk: int, serial: int):
    """The status is read without the ORM: compiling the query would cost as much as the rest of a
    kept answer. Revoked certificates, few, are read through it."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT status FROM {Certificate._meta.db_table} WHERE serial = %s AND ca_id = %s", [serial_text(serial), ca_pk])
        row = cursor.fetchone()
    if row is not None:
        if row[0] != Certificate.Status.REVOKED:
            return ocsp.OCSPCertStatus.GOOD, None, None
        revoked_at, reason = Certificate.objects.filter(ca_id=ca_pk, serial=serial_text(serial)).values_list(
            "revoked_at", "revocation_reason").get()
        flag = RevocationReason(reason).flag if reason and reason != RevocationReason.UNSPECIFIED else None
        return ocsp.OCSPCertStatus.REVOKED, revoked_at, flag
    if CertificateAuthority.objects.filter(issuer_id=ca_pk, serial=serial_text(serial)).exists():
        return ocsp.OCSPCertStatus.GOOD, None, None  # an issuing CA under this root (CA revocation comes later)
    return ocsp.OCSPCertStatus.UNKNOWN, None, None
