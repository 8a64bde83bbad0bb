"""REST endpoint of the hub for the IT staff's scripts and monitoring: the network's health, the same
as the page /hub/network/ shows. Instance operators only; everyone else gets 403."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Router, Schema

from vanphong.core.api_support import error_responses
from vanphong.hub import network

router = Router(tags=["exchange hub"])
Level = Literal["ok", "warning", "problem"]


class FindingOut(Schema):
    level: Level
    message: str = Field(description="What is wrong, in the language of Accept-Language.")


class NodeHealthOut(Schema):
    code: str = Field(description="The agency code (mã định danh).")
    name: str
    endpoint: str = Field(description="The node's own address for direct exchange, when it has one.")
    level: Level = Field(description="The worst of its findings; ok when there is none.")
    last_contact: dt.datetime | None = Field(description="When the node last reported; null if it never has.")
    waiting_at_hub: int = Field(description="Packages for this agency that it has not acknowledged yet.")
    oldest_waiting_at_hub: dt.datetime | None
    outbox_depth: int | None = Field(description="Packages waiting to leave the node, as it last reported.")
    inbox_depth: int | None = Field(description="Received packages waiting for the clerk, as it last reported.")
    oldest_undelivered: dt.datetime | None
    next_certificate_expiry: dt.datetime | None
    findings: list[FindingOut]


class CountsOut(Schema):
    ok: int
    warning: int
    problem: int


class NetworkHealthOut(Schema):
    checked_at: dt.datetime
    counts: CountsOut
    waiting_at_hub: int
    nodes: list[NodeHealthOut] = Field(description="Worst first, then by agency code.")


@router.get("/hub/network", response={200: NetworkHealthOut, **error_responses(401, 403)})
def network_health(request):
    """The health of every node the hub serves: last contact, queues, certificate expiry, and what is wrong."""
    return network.network_health(request.auth).as_dict()
