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
    text = params.get("text", "")
    if for_email and params.get("confidential"):
        text = ""  # a reason may quote the document
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
    return Words(_("Notification"))
