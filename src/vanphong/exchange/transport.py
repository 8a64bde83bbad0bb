"""How packages travel: the transport seam, and the local transport.

A transport carries bytes between agencies and knows nothing of what they mean. The outbox hands
it a signed package (`send`); the inbox asks it what waits for an agency hosted here (`fetch`),
takes each delivery through the receiving pipeline (exchange.inbox) and then `acknowledge`s it,
so that a crash between the two only fetches it again, and the inbox recognises it.

The local transport serves two agencies on one instance: what it sends waits in its mailbox
(LocalMailbox, bytes only) until the recipient's inbox fetches it, exactly as from the hub.
Other transports (the hub, direct HTTPS) register themselves with `register()` under their name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from django.utils.translation import gettext as _

MESSAGE_TYPES = ("edoc", "status")


class TransportError(Exception):
    """A delivery that did not happen. `retryable`: worth trying again later (the network, a hub
    that is down); otherwise a person must act. The message is for people."""

    def __init__(self, message: str, *, retryable: bool = True):
        super().__init__(message)
        self.message = message
        self.retryable = retryable


@dataclass(frozen=True)
class Delivery:
    id: str
    message_type: str
    data: bytes


class Transport(Protocol):
    name: str

    def send(self, data: bytes, *, sender_code: str, recipient_code: str, message_type: str, doc_id: str) -> str:
        """Hand over one package ("edoc" or "status"); the transport's id of the delivery, or TransportError."""

    def fetch(self, *, agency_code: str, limit: int = 100) -> list[Delivery]:
        """What waits for that agency, oldest first."""

    def acknowledge(self, *, agency_code: str, ids: list[str]) -> None:
        """The inbox took these in: the transport may forget them."""


class LocalTransport:
    """Between agencies hosted on this instance."""

    name = "local"

    def send(self, data: bytes, *, sender_code: str, recipient_code: str, message_type: str, doc_id: str) -> str:
        from vanphong.exchange.models import LocalMailbox
        from vanphong.org.models import Agency

        if message_type not in MESSAGE_TYPES:
            raise TransportError(_("Unknown message type %(type)s.") % {"type": message_type}, retryable=False)
        if not Agency.objects.filter(code__iexact=recipient_code, hosted=True, is_active=True).exists():
            raise TransportError(_("Agency %(code)s is not hosted on this instance: the local transport cannot reach it.")
                                 % {"code": recipient_code}, retryable=False)
        row = LocalMailbox.objects.create(agency_code=recipient_code.upper(), sender_code=sender_code, message_type=message_type,
                                          doc_id=doc_id[:200], data=data)
        return f"local-{row.pk}"

    def fetch(self, *, agency_code: str, limit: int = 100) -> list[Delivery]:
        from vanphong.exchange.models import LocalMailbox

        rows = LocalMailbox.objects.filter(agency_code=agency_code.upper()).order_by("pk")[:limit]
        return [Delivery(id=f"local-{row.pk}", message_type=row.message_type, data=bytes(row.data)) for row in rows]

    def acknowledge(self, *, agency_code: str, ids: list[str]) -> None:
        from vanphong.exchange.models import LocalMailbox

        pks = [int(i.removeprefix("local-")) for i in ids if i.startswith("local-") and i.removeprefix("local-").isdigit()]
        LocalMailbox.objects.filter(agency_code=agency_code.upper(), pk__in=pks).delete()


_FACTORIES: dict[str, Callable[[], Transport]] = {"local": LocalTransport}


def register(name: str, factory: Callable[[], Transport]) -> None:
    """Make a transport available under `name` (the value of ExchangeEndpoint.transport)."""
    _FACTORIES[name] = factory


def available() -> list[str]:
    return list(_FACTORIES)


def get(name: str) -> Transport:
    factory = _FACTORIES.get(name)
    if factory is None:
        raise TransportError(_("The “%(name)s” transport is not installed on this instance.") % {"name": name})
    return factory()


def for_recipient(agency) -> Transport:
    """The transport that reaches `agency`: its directory entry's, else local when hosted here."""
    from vanphong.exchange.models import ExchangeEndpoint

    endpoint = ExchangeEndpoint.objects.filter(agency=agency).first()
    if endpoint is not None:
        return get(endpoint.transport)
    if agency.hosted:
        return get("local")
    raise TransportError(_("The directory gives no exchange address for %(agency)s: an administrator must set one.")
                         % {"agency": agency.name})
