"""`vanphong exchange …`: the exchange from a terminal. `read` shows what an edXML file says; `send`
delivers the outbox now and `receive` takes a file, or what the transports hold, into the inbox
(for scripts: the worker does both every few seconds)."""

from __future__ import annotations

import json
import sys


def _verify_signature(result) -> None:
    """Let signing.xmldsig verify an XML-DSig signature when it can; the codec's own finding stands
    when it cannot (no database, a placeholder, anything unexpected): `read` must never fail on it."""
    if not result.signature.xmldsig:
        return
    try:
        from vanphong.signing import xmldsig

        report = xmldsig.verify_package(result.data)
    except Exception as exc:  # noqa: BLE001 - a verifier fault must not hide what the package says
        from django.utils.translation import gettext as _

        result.signature.problems.append(_("The signature could not be checked here: %(error)s") % {"error": exc})
        return
    result.signature.status = report.verdict
    result.signature.problems.extend(report.problems + report.notes)
    result.signature.signer = report.signer_name


def cmd_read(args) -> int:
    """Print an edXML package or status message as JSON, with what was odd in it. Exit 0 when the
    file is readable, 2 when it is not (the reason on stderr)."""
    from vanphong.cli import _setup_django

    _setup_django()
    from django.utils.translation import gettext as _

    from vanphong.exchange.edxml import describe, reader
    from vanphong.exchange.edxml.limits import Limits
    from vanphong.exchange.edxml.oddities import UnreadablePackage

    limits = Limits.from_settings()
    try:
        with open(args.file, "rb") as handle:
            data = handle.read(limits.max_package_bytes + 1)
    except OSError as exc:
        print(_("Cannot read %(path)s: %(error)s.") % {"path": args.file, "error": exc.strerror}, file=sys.stderr)
        return 2
    try:
        result = reader.read(data, limits=limits)
    except UnreadablePackage as exc:
        print(_("%(file)s is not a readable edXML package: %(reason)s") % {"file": args.file, "reason": " ".join(exc.messages)},
              file=sys.stderr)
        return 2
    if not args.no_verify:
        _verify_signature(result)
    print(json.dumps(describe.describe(result), ensure_ascii=False, indent=2))
    return 0


def cmd_send(args) -> int:
    """Deliver what is due in the outbox now (the worker does it every few seconds): status events
    of received documents become status messages, then each due package is signed and sent. Prints
    the counts as JSON; exit 0, or 1 when some package could not be sent (it is retried later)."""
    from vanphong.cli import _setup_django

    _setup_django()
    from vanphong.exchange import outbox

    queued = outbox.queue_status_events()
    outcome = outbox.deliver_all()
    print(json.dumps({"status_events_queued": queued, "sent": outcome.sent, "not_sent": outcome.failed}))
    return 1 if outcome.failed else 0


def cmd_receive(args) -> int:
    """Take packages into the inbox: a .edxml file for one hosted agency (--agency), or, without a
    file, whatever the transports hold for every agency hosted here. Prints the outcome as JSON;
    exit 0 when taken in (or already there), 1 when refused (the reason on stderr), 2 on bad input."""
    from vanphong.cli import _setup_django

    _setup_django()
    from django.utils.translation import gettext as _

    from vanphong.exchange import inbox
    from vanphong.exchange.edxml.limits import Limits
    from vanphong.org.models import Agency

    if args.file is None:
        print(json.dumps(inbox.receive_all()))
        return 0
    if not args.agency:
        print(_("Give the agency the file is for: --agency CODE (an agency hosted here)."), file=sys.stderr)
        return 2
    agency = Agency.objects.filter(code__iexact=args.agency, hosted=True, is_active=True).first()
    if agency is None:
        print(_("No agency with code %(code)s is hosted here.") % {"code": args.agency}, file=sys.stderr)
        return 2
    limit = Limits.from_settings().max_package_bytes
    try:
        with open(args.file, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        print(_("Cannot read %(path)s: %(error)s.") % {"path": args.file, "error": exc.strerror}, file=sys.stderr)
        return 2
    intake = inbox.receive(data, agency=agency, transport_name="import" if args.without_verification else "file",
                           transport_id=args.file[-200:], unverified=args.without_verification)
    package = intake.package
    print(json.dumps({"outcome": intake.outcome, "package": package.pk if package else None,
                      "document_id": package.edxml_document_id if package else "", "reason": intake.reason}, ensure_ascii=False))
    if intake.outcome == inbox.REFUSED:
        print(intake.reason, file=sys.stderr)
        return 1
    return 0


def _when(value) -> str:
    from django.utils import timezone

    if not value:
        return "—"
    if isinstance(value, str):
        import datetime as dt

        value = dt.datetime.fromisoformat(value)
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")


def cmd_status(args) -> int:
    """The health of the exchange as this node sees it: per hosted agency, the packages waiting to leave and
    the oldest of them, the received packages waiting for a clerk, the next certificate expiry, and packages
    failing or given up; where this instance is a hub, the health of every node it serves, as its network page
    shows it. Exit 0 when nothing is wrong, 1 when something needs the operator."""
    from vanphong.cli import _setup_django

    _setup_django()
    from django.utils.translation import gettext as _

    from vanphong.exchange.health import check_exchange
    from vanphong.hub import network, node_health
    from vanphong.hub.models import Member
    from vanphong.org.models import Agency

    agencies = []
    for agency in Agency.objects.filter(hosted=True, is_active=True).order_by("code"):
        report = node_health.collect(agency)
        expiries = sorted(c["notAfter"] for c in report["certificates"])
        agencies.append({"code": agency.code, "name": agency.name, "outbox_depth": report["outboxDepth"],
                         "oldest_undelivered": report["oldestUndeliveredAt"], "inbox_depth": report["inboxDepth"],
                         "next_certificate_expiry": expiries[0] if expiries else None})
    check = check_exchange()
    hub = network.measure_network() if Member.objects.filter(is_active=True).exists() else None
    problem = not check.ok or (hub is not None and hub.count(network.PROBLEM) > 0)
    if args.json:
        print(json.dumps({"ok": not problem, "node": {"agencies": agencies, "check": {"ok": check.ok, "detail": check.detail}},
                          "hub": hub.as_dict() if hub else None}, ensure_ascii=False, indent=2))
        return 1 if problem else 0
    print(_("This node"))
    for row in agencies:
        print(f"  {row['code']}  {row['name']}")
        print("    " + _("to send: %(count)d (oldest %(when)s); received, waiting for a clerk: %(inbox)d; next certificate expiry: %(expiry)s")
              % {"count": row["outbox_depth"], "when": _when(row["oldest_undelivered"]), "inbox": row["inbox_depth"],
                 "expiry": _when(row["next_certificate_expiry"])})
    print("  " + (_("OK: %(detail)s") if check.ok else _("PROBLEM: %(detail)s")) % {"detail": check.detail})
    if hub is not None:
        print(_("The network this hub serves (%(ok)d working normally, %(warning)d to watch, %(problem)d with a problem)")
              % {"ok": hub.count(network.OK), "warning": hub.count(network.WARNING), "problem": hub.count(network.PROBLEM)})
        labels = {network.OK: _("working normally"), network.WARNING: _("to watch"), network.PROBLEM: _("problem")}
        for node in hub.nodes:
            print(f"  [{labels[node.level]}] {node.code}  {node.name}")
            print("    " + _("last contact: %(when)s; waiting at the hub: %(count)d") % {"when": _when(node.last_contact), "count": node.waiting_at_hub})
            for finding in node.findings:
                print(f"    - {finding.message}")
    return 1 if problem else 0


def add_commands(sub) -> None:
    p = sub.add_parser("exchange", help="document exchange (edXML) tools", description="Document exchange (edXML) tools.")
    exchange_sub = p.add_subparsers(dest="exchange_command", required=True, metavar="SUBCOMMAND")
    q = exchange_sub.add_parser("read", help="print an edXML package or status as JSON, with its oddities",
                                description=cmd_read.__doc__)
    q.add_argument("file", metavar="FILE.edxml", help="the edXML file to read")
    q.add_argument("--no-verify", action="store_true", help="do not verify an XML-DSig signature (no database needed)")
    q.set_defaults(func=cmd_read)
    q = exchange_sub.add_parser("send", help="deliver the due packages of the outbox now", description=cmd_send.__doc__)
    q.set_defaults(func=cmd_send)
    q = exchange_sub.add_parser("status", help="the exchange's health: this node's queues and certificates, and the network a hub serves",
                                description=cmd_status.__doc__)
    q.add_argument("--json", action="store_true", help="print it as JSON")
    q.set_defaults(func=cmd_status)
    q = exchange_sub.add_parser("receive", help="take a .edxml file, or what the transports hold, into the inbox",
                                description=cmd_receive.__doc__)
    q.add_argument("file", nargs="?", metavar="FILE.edxml", help="a package to take in; without it, fetch from the transports")
    q.add_argument("--agency", metavar="CODE", help="the hosted agency the file is for")
    q.add_argument("--without-verification", action="store_true",
                   help="take in a document whose signature or sender this system cannot verify (another implementation's "
                        "file): flagged as not verified for the clerk; no status is sent back")
    q.set_defaults(func=cmd_receive)
