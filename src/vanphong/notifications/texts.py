"""What a notification says, in the active language: notifications store a kind and parameters, and are put
into words when they are shown or mailed (with translation.override for an e-mail's recipient).

Parameters: "document" (the subject), "confidential" (the document is classified: its subject is never put
in an e-mail, which leaves the system), "role", "deadline" (ISO date), "actor", "holder", "text" (a reason
or note), "granted", "days"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vanphong.notifications.models import Notification

Kind = Notification.Kind
MAX_SUBJECT = 300
MAX_TEXT = 500


@dataclass(frozen=True)
class Words:
    title: str
    detail: str = ""


def _date(value) -> str:
    try:
        return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
    except (TypeError, ValueError):
        return ""


def _document(params: dict, *, for_email: bool) -> str:
    if for_email and params.get("confidential"):
        return _("a classified document (open VănPhòng to read it)")
    return params.get("document") or _("a document")


def words(kind: str, params: dict, *, for_email: bool = False) -> Words:
    p = {"document": _document(params, for_email=for_email), "date": _date(params.get("deadline")), "actor": params.get("actor", ""),
         "holder": params.get("holder", "")}
    if kind in NETWORK_KINDS:
        return network_words(kind, params)
    text = params.get("text", "")
    if for_email and params.get("confidential"):
        text = ""  # a reason may quote the document
    if kind == Kind.PACKAGE_RECEIVED:
        return package_words(params, p)
    if kind == Kind.TASK_GIVEN:
        title = {"lead": _("To lead (chủ trì): %(document)s"), "coordinate": _("To coordinate (phối hợp): %(document)s")}.get(
            params.get("role"), _("For information: %(document)s")) % p
        detail = _("Given by %(actor)s to %(holder)s, due %(date)s.") % p if params.get("role") != "inform" else \
            _("Given by %(actor)s to %(holder)s.") % p
        return Words(title, detail)
    if kind == Kind.TASK_RETURNED:
        return Words(_("Returned by %(actor)s: %(document)s") % p, text)
    if kind == Kind.EXTENSION_ASKED:
        return Words(_("%(actor)s asks for more time, until %(date)s: %(document)s") % p, text)
    if kind == Kind.EXTENSION_DECIDED:
        if params.get("granted"):
            return Words(_("More time granted, until %(date)s: %(document)s") % p, text)
        return Words(_("More time refused: %(document)s") % p, text)
    if kind == Kind.REMINDER_BEFORE:
        days = int(params.get("days") or 0)
        if days <= 0:
            return Words(_("Due today: %(document)s") % p, _("The deadline is today, %(date)s.") % p)
        return Words(_("Due %(date)s: %(document)s") % p, ngettext("The deadline is in %(days)d working day.",
                                                                   "The deadline is in %(days)d working days.", days) % {"days": days})
    if kind == Kind.REMINDER_OVERDUE:
        return Words(_("Overdue: %(document)s") % p, _("The deadline was %(date)s. Complete the task or ask for more time.") % p)
    if kind == Kind.ESCALATION:
        days = int(params.get("days") or 0)
        return Words(_("Still overdue, held by %(holder)s: %(document)s") % p,
                     ngettext("The deadline was %(date)s, %(days)d working day ago.",
                              "The deadline was %(date)s, %(days)d working days ago.", days) % {**p, "days": days})
    if kind == Kind.APPROVAL_AWAITING:
        return Words(_("Awaiting your approval: %(document)s") % p, _("Sent on by %(actor)s.") % p if p["actor"] else "")
    if kind == Kind.CONSULTATION_INVITED:  # "document": the draft's title (consultation.reminders)
        return Words(_("Your comments are asked on the draft: %(document)s") % p,
                     _("Asked by %(actor)s; send them by %(date)s.") % p if p["actor"] else _("Send them by %(date)s.") % p)
    if kind == Kind.CONSULTATION_DUE:
        if params.get("overdue"):
            return Words(_("Comments overdue on the draft: %(document)s") % p, _("The deadline was %(date)s.") % p)
        return Words(_("Comments awaited on the draft: %(document)s") % p, _("The deadline is %(date)s.") % p)
    if kind == Kind.HANDLING_ENDED:
        title = (_("Replaced by the sender, handling ended: %(document)s") if params.get("withdrawal") == "replaced"
                 else _("Recalled by the sender, handling ended: %(document)s")) % p
        return Words(title, text)
    return Words(_("Notification"))


def package_words(params: dict, p: dict) -> Words:
    """A package taken in by the exchange (exchange.hooks): "actor" the sender, "request" recall, update, replace or ""."""
    request = params.get("request")
    if request == "recall":
        return Words(_("%(actor)s recalls a document: %(document)s") % p, _("Accept or refuse the recall among received packages."))
    if request == "update":
        return Words(_("%(actor)s corrects a document: %(document)s") % p, _("Accept or refuse the update among received packages."))
    if request == "replace":
        return Words(_("%(actor)s replaces a document: %(document)s") % p,
                     _("Accept or refuse the replacement among received packages."))
    return Words(_("Received from %(actor)s: %(document)s") % p, _("Register it in an incoming register, or reject it."))


# Alerts on the exchange network, to the instance's operators (hub.alerts). Parameters: "code" and "name" of the
# agency whose node it is, "problem" (hub.network's finding codes), "since" (ISO moment: the last report, the oldest
# waiting package), "date" (ISO moment: a certificate's expiry), "started" and "resolved" (ISO moments).
NETWORK_KINDS = (Kind.NETWORK_PROBLEM, Kind.NETWORK_RESOLVED)


def _moment(value) -> str:
    from django.utils import timezone

    try:
        return timezone.localtime(dt.datetime.fromisoformat(value)).strftime("%d/%m/%Y %H:%M")
    except (TypeError, ValueError):
        return "—"


def _day(value) -> str:
    return _moment(value)[:10]


def network_words(kind: str, params: dict) -> Words:
    p = {"name": params.get("name", ""), "code": params.get("code", ""), "since": _moment(params.get("since")),
         "date": _day(params.get("date")), "started": _moment(params.get("started")), "resolved": _moment(params.get("resolved"))}
    problem = params.get("problem")
    what = {
        "silent": _("no report from the node of %(name)s (%(code)s)"),
        "hub_backlog": _("packages for %(name)s (%(code)s) wait at the hub"),
        "node_backlog": _("packages wait to leave the node of %(name)s (%(code)s)"),
        "certificate_expired": _("a certificate of the node of %(name)s (%(code)s) has expired"),
        "certificate_expiring": _("a certificate of the node of %(name)s (%(code)s) expires soon"),
    }.get(problem, _("the node of %(name)s (%(code)s)")) % p
    if kind == Kind.NETWORK_RESOLVED:
        return Words(_("Resolved on the exchange network: %(what)s") % {"what": what},
                     _("Found at %(started)s, resolved at %(resolved)s.") % p)
    detail = {
        "silent": _("Its last report came at %(since)s. Check that the node and its worker run and reach the hub."),
        "hub_backlog": _("The oldest has waited since %(since)s: the node is not collecting them."),
        "node_backlog": _("The oldest has waited since %(since)s: the node cannot deliver them."),
        "certificate_expired": _("It expired on %(date)s: the node cannot exchange with it. Issue a new one."),
        "certificate_expiring": _("It expires on %(date)s: renew it before then."),
    }.get(problem, "") % p
    title = (_("Exchange network, attention: %(what)s") if problem == "certificate_expiring"
             else _("Exchange network problem: %(what)s")) % {"what": what}
    return Words(title, detail)
