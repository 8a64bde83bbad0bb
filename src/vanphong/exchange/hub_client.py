"""Transports over HTTPS with mutual TLS: to a hub (ours or the national one) and directly to a node.

HubClient speaks the national hub's client API (vanphong.hub.node_api is our side of it): the
parameters in headers, the package as application/octet-stream, JSON replies with status,
ErrorCode and ErrorDesc. It presents the client certificate of the agency it acts for (our CA
issues one per hosted agency, profile tls-client) and trusts only our CA for the server.

- HubTransport ("hub"): send → sendEdoc; fetch → getReceivedEdocList, then getEdoc for each;
  acknowledge → acknowledgeEdoc.
- DirectTransport ("https"): send → sendEdoc at the recipient node's own address (every node takes
  sendEdoc for the agencies it hosts, on the same API); fetch and acknowledge read this node's own
  store of what other nodes sent it (vanphong.hub), without a network round trip.

Errors become TransportError: retryable for the network (a connection cut during the TLS handshake
too), timeouts, a busy or failing server (5xx, 408, 429); permanent for what a person must fix (a
refused certificate, an unknown agency, a package over the limit), with the server's message.
"""

from __future__ import annotations

import ssl
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import requests
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from vanphong.exchange.transport import Delivery, TransportError

CONNECT_TIMEOUT = 10
READ_TIMEOUT = 120
RETRYABLE_STATUSES = {408, 425, 429, 500, 502, 503, 504}
ACKNOWLEDGE_BATCH = 500


_kept = threading.local()


def kept_session() -> requests.Session:
    """This thread's HTTPS session, kept from one call to the next: its connections stay open (gunicorn keeps
    them alive), so a package costs one request, not a TLS handshake and an SSL context loaded from files.
    requests pools connections per address, CA file and client certificate, so agencies never share one.
    A kept connection the server has since closed is tried once more on a new one: every operation of the
    API may be repeated (the receiver recognises a package it already has)."""
    session = getattr(_kept, "session", None)
    if session is None:
        session = requests.Session()
        session.mount("https://", HTTPAdapter(max_retries=Retry(total=1, connect=1, read=1, status=0, other=0, redirect=0,
                                                                allowed_methods=None, raise_on_status=False)))
        _kept.session = session
    return session


@dataclass(frozen=True)
class CertificateFolder:
    """The client certificates of the agencies hosted here: `<agency code>.pem` and `<agency code>.key`."""

    folder: Path

    def for_agency(self, agency_code: str) -> tuple[str, str]:
        cert, key = self.folder / f"{agency_code}.pem", self.folder / f"{agency_code}.key"
        if not (cert.is_file() and key.is_file()):
            raise TransportError(_("This node has no client certificate for %(code)s (%(path)s): ask the CA operator for a "
                                   "node client certificate.") % {"code": agency_code, "path": cert}, retryable=False)
        return str(cert), str(key)


class HubClient:
    """One hub's (or node's) client API, acting for the agencies whose certificates `credentials` holds."""

    def __init__(self, base_url: str, *, ca_file: str, credentials: CertificateFolder, session: requests.Session | None = None,
                 timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT), extra_headers: dict[str, str] | None = None):
        if not base_url:
            raise TransportError(_("No exchange hub address is set (VANPHONG_EXCHANGE_HUB_URL)."), retryable=False)
        self.base_url = base_url.rstrip("/") + "/"
        self.ca_file = ca_file
        self.credentials = credentials
        self.session = session or kept_session()
        self.timeout = timeout
        # What a hub asks beyond the client certificate (the national hub's system id and secret, say).
        self.extra_headers = dict(extra_headers or {})

    # -- the operations ----------------------------------------------------------------------------

    def send_edoc(self, data: bytes, *, sender_code: str, recipient_code: str, message_type: str, doc_id: str) -> str:
        body = self._call("POST", "sendEdoc", sender_code, data=data, headers={
            "Content-Type": "application/octet-stream", "messagetype": message_type, "docId": quote(doc_id, safe=",/.-_:"),
            "from": sender_code, "to": recipient_code})
        return str(body["DocID"])

    def received_list(self, agency_code: str, *, limit: int = 100, message_type: str | None = None) -> list[dict]:
        return self._call("GET", "getReceivedEdocList", agency_code, params={"limit": limit},
                          headers={"messagetype": message_type} if message_type else None)["data"]

    def sent_list(self, agency_code: str, *, limit: int = 100) -> list[dict]:
        return self._call("GET", "getSentEdocList", agency_code, params={"limit": limit})["data"]

    def get_edoc(self, agency_code: str, package_id: str) -> tuple[str, bytes]:
        response = self._call("GET", "getEdoc", agency_code, headers={"docId": package_id}, raw=True)
        return response.headers.get("messagetype", "edoc"), response.content

    def acknowledge(self, agency_code: str, ids: list[str]) -> int:
        done = 0
        for start in range(0, len(ids), ACKNOWLEDGE_BATCH):
            done += self._call("POST", "acknowledgeEdoc", agency_code,
                               headers={"docId": ",".join(ids[start:start + ACKNOWLEDGE_BATCH])})["acknowledged"]
        return done

    def count(self, agency_code: str, message_type: str) -> int:
        return int(self._call("GET", "countReceiveStatus" if message_type == "status" else "countReceiveEdoc", agency_code)["total"])

    def agencies(self, agency_code: str) -> list[dict]:
        return self._call("GET", "getAgencies", agency_code)["data"]

    def report(self, agency_code: str, report: dict) -> None:
        self._call("POST", "reportNodeStatus", agency_code, json=report)

    # -- one request -------------------------------------------------------------------------------

    def _call(self, method: str, operation: str, agency_code: str, *, headers: dict | None = None, raw: bool = False, **kwargs):
        url = self.base_url + operation
        # The server's messages come back in the language this process speaks (the shell's, the person's).
        all_headers = {"servicetype": "eDoc", "Accept-Language": translation.get_language() or settings.LANGUAGE_CODE,
                       **self.extra_headers, **(headers or {})}
        try:
            response = self.session.request(method, url, headers=all_headers, cert=self.credentials.for_agency(agency_code),
                                            verify=self.ca_file, timeout=self.timeout, **kwargs)
        except requests.exceptions.SSLError as exc:
            if _cut_mid_handshake(exc):  # a server that died or a link that dropped while the handshake went on
                raise TransportError(_("%(url)s could not be reached: %(error)s") % {"url": self.base_url, "error": exc}) from None
            # A certificate refused either way (ours revoked or unknown to them, theirs not from our CA) needs a person.
            raise TransportError(_("The TLS connection to %(url)s was refused: %(error)s") % {"url": self.base_url, "error": exc},
                                 retryable=False) from None
        except requests.exceptions.RequestException as exc:
            raise TransportError(_("%(url)s could not be reached: %(error)s") % {"url": self.base_url, "error": exc}) from None
        if response.status_code >= 400:
            self._refused(response, operation)
        return response if raw else self._check(response, operation)

    def _check(self, response: requests.Response, operation: str) -> dict:
        try:
            body = response.json()
        except ValueError:
            raise TransportError(_("%(operation)s at %(url)s answered something that is not JSON.")
                                 % {"operation": operation, "url": self.base_url}) from None
        if str(body.get("ErrorCode", "0")) != "0":
            raise TransportError(_("%(operation)s was refused: %(reason)s") % {"operation": operation, "reason": body.get("ErrorDesc", "")},
                                 retryable=False)
        return body

    def _refused(self, response: requests.Response, operation: str):
        try:
            reason = response.json().get("ErrorDesc") or response.reason
        except ValueError:
            reason = response.reason or str(response.status_code)
        raise TransportError(_("%(operation)s was refused (HTTP %(status)d): %(reason)s")
                             % {"operation": operation, "status": response.status_code, "reason": reason},
                             retryable=response.status_code in RETRYABLE_STATUSES)


def _cut_mid_handshake(exc: BaseException) -> bool:
    """Whether a TLS failure is the connection ending before the handshake was through (EOF, a reset), which
    the network explains, rather than a certificate refused. urllib3 wraps the ssl module's error a few times."""
    pending, seen = [exc], set()
    while pending:
        error = pending.pop()
        if id(error) in seen:
            continue
        seen.add(id(error))
        if isinstance(error, (ssl.SSLEOFError, ssl.SSLZeroReturnError, ConnectionError)):
            return True
        pending += [linked for linked in (error.__cause__, error.__context__, getattr(error, "reason", None), *error.args)
                    if isinstance(linked, BaseException)]
    return False


def node_setting(name: str) -> str:
    """A Django setting when set (tests), else the environment or vanphong.toml, as vanphong.config reads them."""
    from vanphong import config

    value = getattr(settings, name, None)
    return str(value if value is not None else (config.get(name) or ""))


def _credentials() -> CertificateFolder:
    folder = node_setting("VANPHONG_EXCHANGE_CLIENT_CERT_DIR")
    if not folder:
        raise TransportError(_("No folder of node client certificates is set (VANPHONG_EXCHANGE_CLIENT_CERT_DIR)."), retryable=False)
    return CertificateFolder(Path(folder))


def _ca_file() -> str:
    ca_file = node_setting("VANPHONG_EXCHANGE_CA_FILE")
    if not ca_file:
        raise TransportError(_("No CA certificate file is set to trust the hub and nodes (VANPHONG_EXCHANGE_CA_FILE)."),
                             retryable=False)
    return ca_file


def _hub_headers() -> dict[str, str]:
    """VANPHONG_EXCHANGE_HUB_HEADERS: a JSON object of headers every call to the hub carries."""
    import json

    raw = node_setting("VANPHONG_EXCHANGE_HUB_HEADERS")
    if not raw:
        return {}
    try:
        headers = json.loads(raw)
        if not isinstance(headers, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items()):
            raise ValueError
    except ValueError:
        raise TransportError(_("VANPHONG_EXCHANGE_HUB_HEADERS must be a JSON object of header names and text values."),
                             retryable=False) from None
    return headers


class HubTransport:
    """Through a hub: ours (vanphong.hub) or the national one."""

    name = "hub"

    def __init__(self, client: HubClient | None = None):
        self.client = client or HubClient(node_setting("VANPHONG_EXCHANGE_HUB_URL"), ca_file=_ca_file(),
                                          credentials=_credentials(), extra_headers=_hub_headers())

    def send(self, data: bytes, *, sender_code: str, recipient_code: str, message_type: str, doc_id: str) -> str:
        return self.client.send_edoc(data, sender_code=sender_code, recipient_code=recipient_code, message_type=message_type,
                                     doc_id=doc_id)

    def fetch(self, *, agency_code: str, limit: int = 100) -> list[Delivery]:
        deliveries = []
        for item in self.client.received_list(agency_code, limit=limit):
            try:
                message_type, data = self.client.get_edoc(agency_code, item["id"])
            except TransportError as exc:
                if not exc.retryable and "HTTP 404" in exc.message:
                    continue  # acknowledged by another fetcher of this node since the list was made
                raise
            deliveries.append(Delivery(id=item["id"], message_type=item.get("messageType") or message_type, data=data))
        return deliveries

    def acknowledge(self, *, agency_code: str, ids: list[str]) -> None:
        if ids:
            self.client.acknowledge(agency_code, list(ids))


class DirectTransport:
    """Node to node: send to the recipient node's address from the directory; receive from this node's own store."""

    name = "https"

    def __init__(self, *, ca_file: str | None = None, credentials: CertificateFolder | None = None, session=None):
        self._ca_file, self._credentials, self._session = ca_file, credentials, session

    def _client_for(self, recipient_code: str) -> HubClient:
        from vanphong.exchange.models import ExchangeEndpoint

        endpoint = ExchangeEndpoint.objects.filter(agency__code=recipient_code).exclude(url="").first()
        if endpoint is None:
            raise TransportError(_("The directory gives no node address for %(code)s.") % {"code": recipient_code}, retryable=False)
        return HubClient(endpoint.url, ca_file=self._ca_file or _ca_file(), credentials=self._credentials or _credentials(),
                         session=self._session)

    def send(self, data: bytes, *, sender_code: str, recipient_code: str, message_type: str, doc_id: str) -> str:
        return self._client_for(recipient_code).send_edoc(data, sender_code=sender_code, recipient_code=recipient_code,
                                                          message_type=message_type, doc_id=doc_id)

    def fetch(self, *, agency_code: str, limit: int = 100) -> list[Delivery]:
        from vanphong.hub import selectors, services

        node = _local_identity(agency_code)
        deliveries = []
        for item in selectors.waiting_packages(node)[:limit]:
            package = services.fetch_package(node, str(item.pk))
            deliveries.append(Delivery(id=str(package.pk), message_type=package.message_type, data=bytes(package.data)))
        return deliveries

    def acknowledge(self, *, agency_code: str, ids: list[str]) -> None:
        from vanphong.hub import errors, services

        if ids:
            try:
                services.acknowledge(_local_identity(agency_code), list(ids))
            except errors.HubError as exc:
                raise TransportError(exc.message, retryable=False) from None


def _local_identity(agency_code: str):
    from vanphong.hub import identity

    try:
        return identity.local_identity(agency_code)
    except identity.NotAuthenticated as exc:
        raise TransportError(str(exc), retryable=False) from None


def register() -> None:
    from vanphong.exchange import transport

    transport.register(HubTransport.name, HubTransport)
    transport.register(DirectTransport.name, DirectTransport)
