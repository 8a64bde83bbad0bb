"""The hub's client API, with the operations and conventions of the national hub: parameters in
HTTP headers (servicetype: eDoc, messagetype: edoc|status, docId), the package as
application/octet-stream, replies as JSON with status, ErrorCode ("0" is success) and ErrorDesc.

Nodes authenticate with their TLS client certificate (hub.identity), never with cookies, so
these views are CSRF-exempt. They stay thin: read the headers, call one service or selector.
"""

from __future__ import annotations

import functools
import json
from urllib.parse import unquote

from django.http import HttpResponse, JsonResponse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from vanphong.hub import directory, errors, identity, selectors, services
from vanphong.hub.models import MessageType

SERVICE_TYPE = "edoc"
DEFAULT_LIST_LIMIT = 100
MAX_REPORT_BYTES = 256 * 1024


def reply(payload: dict | None = None, *, status: int = 200) -> JsonResponse:
    return JsonResponse({"status": "OK", "ErrorCode": "0", "ErrorDesc": "", **(payload or {})}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def refusal(error: errors.HubError) -> JsonResponse:
    return JsonResponse({"status": "FAIL", "ErrorCode": error.code, "ErrorDesc": error.message}, status=error.http_status,
                        json_dumps_params={"ensure_ascii": False})


def header(request, name: str) -> str:
    # WSGI gives header values as latin-1 text; docId and agency codes travel percent-encoded UTF-8.
    raw = request.headers.get(name, "")
    return unquote(raw.encode("latin-1", "replace").decode("utf-8", "replace")).strip()


def node_operation(name: str, methods: list[str], *, peers: bool = False):
    """Authenticate the node, check servicetype, turn HubError into the national hub's reply shape,
    and record every refusal in the audit log. Only operations with `peers` take a peer node
    (identity.NodeIdentity.is_peer): one that calls this node directly to send."""

    def wrap(view):
        @csrf_exempt
        @require_http_methods(methods)
        @functools.wraps(view)
        def run(request, *args, **kwargs):
            caller = ""
            try:
                try:
                    node = identity.identify(identity.certificate_of(request))
                except identity.NotAuthenticated as exc:
                    raise errors.HubError(errors.Code.NOT_AUTHENTICATED, str(exc), 401) from None
                caller = node.agency_code
                if node.is_peer and not peers:
                    services.require_member(node, name)
                service_type = header(request, "servicetype")
                if service_type.lower() != SERVICE_TYPE:
                    raise errors.malformed(_("The servicetype header must be “eDoc”."))
                return view(request, node, *args, **kwargs)
            except errors.HubError as error:
                services.record_refusal(error, operation=name, caller=caller, request=request)
                return refusal(error)

        return run

    return wrap


def _message_type(request, *, required: bool) -> str | None:
    value = header(request, "messagetype").lower()
    if not value and not required:
        return None
    return services.check_message_type(value)


def _limit(request) -> int:
    raw = request.GET.get("limit") or header(request, "limit") or str(DEFAULT_LIST_LIMIT)
    try:
        value = int(raw)
    except ValueError:
        raise errors.malformed(_("limit must be a whole number.")) from None
    if not 1 <= value <= services.MAX_LIST:
        raise errors.malformed(_("limit must be between 1 and %(max)d.") % {"max": services.MAX_LIST})
    return value


def _body(request, limit: int) -> bytes:
    """The request body, refused before it is read when its announced size is over the limit."""
    raw_length = request.META.get("CONTENT_LENGTH") or ""
    try:
        length = int(raw_length)
    except ValueError:
        raise errors.HubError(errors.Code.LENGTH_REQUIRED, _("The request must give its Content-Length."), 411) from None
    if length > limit:
        raise services.too_large(length, limit)
    data = request.read(length)
    if len(data) != length:
        raise errors.malformed(_("The package arrived incomplete: %(got)d of %(expected)d bytes.") % {"got": len(data), "expected": length})
    return data


@node_operation("sendEdoc", ["POST"], peers=True)
def send_edoc(request, node):
    message_type = _message_type(request, required=True)
    doc_id = services.check_doc_id(header(request, "docId"))
    data = _body(request, services.max_package_bytes())
    if not data:
        raise errors.malformed(_("The package is empty."))
    content_type = request.content_type or ""
    if content_type != "application/octet-stream":
        raise errors.malformed(_("Send the package as application/octet-stream, not %(type)s.") % {"type": content_type or "—"})
    package, created = services.accept_package(node, message_type=message_type, doc_id=doc_id, recipient_code=header(request, "to"),
                                               sender_code=header(request, "from"), data=data, request=request)
    return reply({"DocID": str(package.id), "duplicate": not created}, status=201 if created else 200)


@node_operation("getReceivedEdocList", ["GET"])
def received_list(request, node):
    packages = selectors.waiting_packages(node, message_type=_message_type(request, required=False))[: _limit(request)]
    return reply({"data": [selectors.describe(p) for p in packages]})


@node_operation("getSentEdocList", ["GET"])
def sent_list(request, node):
    packages = selectors.sent_packages(node, message_type=_message_type(request, required=False))[: _limit(request)]
    return reply({"data": [selectors.describe(p) for p in packages]})


@node_operation("getEdoc", ["GET"])
def get_edoc(request, node):
    package = services.fetch_package(node, header(request, "docId"), request=request)
    response = HttpResponse(bytes(package.data), content_type="application/octet-stream")
    response["docId"] = str(package.id)
    response["messagetype"] = package.message_type
    response["from"] = package.sender.agency.code
    return response


@node_operation("acknowledgeEdoc", ["POST"])
def acknowledge(request, node):
    ids = [part.strip() for part in header(request, "docId").split(",") if part.strip()]
    if len(ids) > services.MAX_LIST:
        raise errors.malformed(_("Acknowledge at most %(max)d packages at once.") % {"max": services.MAX_LIST})
    done = services.acknowledge(node, ids, request=request)
    return reply({"acknowledged": done})


def _count(request, node, message_type: str):
    return reply({"total": selectors.waiting_packages(node, message_type=message_type).count()})


@node_operation("countReceiveEdoc", ["GET"])
def count_edoc(request, node):
    return _count(request, node, MessageType.EDOC)


@node_operation("countReceiveStatus", ["GET"])
def count_status(request, node):
    return _count(request, node, MessageType.STATUS)


@node_operation("getAgencies", ["GET"])
def agencies(request, node):
    return reply({"data": directory.entries()})


@node_operation("reportNodeStatus", ["POST"])
def report_status(request, node):
    try:
        body = json.loads(_body(request, MAX_REPORT_BYTES) or b"{}")
        depths = {key: int(body.get(key) or 0) for key in ("outboxDepth", "inboxDepth")}
        if min(depths.values()) < 0:
            raise ValueError
        oldest_raw = body.get("oldestUndeliveredAt")
        oldest = parse_datetime(oldest_raw) if oldest_raw else None
        if oldest_raw and oldest is None:
            raise ValueError
        certificates = [{"serial": str(c["serial"])[:40], "profile": str(c.get("profile", ""))[:20],
                         "not_after": parse_datetime(str(c["notAfter"])).isoformat()} for c in body.get("certificates") or []]
    except (ValueError, TypeError, KeyError, AttributeError):
        raise errors.malformed(_("The node report is not valid: outboxDepth, inboxDepth, oldestUndeliveredAt, "
                                 "certificates[{serial, profile, notAfter}] in JSON.")) from None
    services.record_node_report(node, outbox_depth=depths["outboxDepth"], inbox_depth=depths["inboxDepth"],
                                oldest_undelivered_at=oldest, certificates=certificates,
                                node_version=str(body.get("version") or "")[:40], request=request)
    return reply()
