"""What an update (BussinessDocType 2) may correct in an issued document, and how a correction is
compared and applied, the same way on both sides: the sender corrects its outgoing document, the
receiver (once its clerk accepts) the package or the incoming document it registered.

The update package carries the document's whole header, corrected, with BussinessDocumentInfo's
DocumentInfo at 1 (the standard's flag: the document's information changed); the receiver finds
which fields changed by comparing it with what it holds. Number, notation and date make the
DocumentId that names the document, so they are not corrected: a replacement is issued instead."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanphong.core.errors import ValidationError
from vanphong.documents.types import Urgency

MAX_PAGES = 100_000

FIELDS = {
    "subject": gettext_lazy("Subject"),
    "signer_name": gettext_lazy("Signer"),
    "signer_position": gettext_lazy("Signer's position"),
    "due_date": gettext_lazy("Due date"),
    "urgency": gettext_lazy("Urgency"),
    "page_count": gettext_lazy("Pages"),
    "copies": gettext_lazy("Copies"),
}
_LENGTHS = {"subject": 500, "signer_name": 150, "signer_position": 150}


def clean(values: dict) -> dict:
    """The corrections asked for, checked: each field known, each value of its kind (ValidationError by field)."""
    unknown = sorted(set(values) - set(FIELDS))
    if unknown:
        raise ValidationError(_("These fields cannot be corrected by an update: %(fields)s. Issue a replacement instead.")
                              % {"fields": ", ".join(unknown)})
    errors, cleaned = {}, {}
    for name, value in values.items():
        if name in _LENGTHS:
            value = " ".join(str(value or "").split())
            if name == "subject" and not value:
                errors[name] = _("The subject cannot be empty.")
            elif len(value) > _LENGTHS[name]:
                errors[name] = _("At most %(max)d characters.") % {"max": _LENGTHS[name]}
        elif name == "due_date":
            if value is not None and not isinstance(value, dt.date):
                errors[name] = _("Enter a valid date.")
        elif name == "urgency":
            if value not in Urgency.values:
                errors[name] = _("Choose one of the urgency levels.")
        elif value is not None and (not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_PAGES):
            errors[name] = _("A whole number from 1 to %(max)d, or nothing.") % {"max": MAX_PAGES}
        cleaned[name] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def of_document(document) -> dict:
    return {name: getattr(document, name) for name in FIELDS}


def of_edoc(edoc) -> dict:
    """The correctable fields as a package says them (an urgency outside ours counts as normal, as on registering)."""
    priority = edoc.other_info.priority
    return {"subject": edoc.subject, "signer_name": edoc.signer_info.full_name, "signer_position": edoc.signer_info.position,
            "due_date": edoc.due_date, "urgency": priority if priority in Urgency.values else Urgency.NORMAL,
            "page_count": edoc.other_info.page_amount, "copies": edoc.other_info.promulgation_amount}


def _json(value):
    return value.isoformat() if isinstance(value, dt.date) else value


def _python(name: str, value):
    return dt.date.fromisoformat(value) if name == "due_date" and value else value


def diff(before: dict, after: dict) -> dict:
    """{field: [before, after]} for the fields that differ, as JSON values (dates ISO)."""
    return {name: [_json(before.get(name)), _json(after[name])] for name in FIELDS
            if name in after and before.get(name) != after[name]}


def apply_to_document(document, changes: dict) -> None:
    """Write the corrections (from `diff`) into a document and its search index."""
    from vanphong.documents.models import Document
    from vanphong.documents.services import search_text_of

    for name, (_before, after) in changes.items():
        setattr(document, name, _python(name, after))
    document.search_text = search_text_of(document, document.attachments.values_list("text", flat=True))
    Document.objects.filter(pk=document.pk).update(search_text=document.search_text, updated_at=timezone.now(),
                                                   **{name: getattr(document, name) for name in changes})


def rows(changes: dict) -> list[tuple[str, object, object]]:
    """(label, before, after) for showing a correction; urgency in words, dates as dd/mm/yyyy."""
    def shown(name, value):
        if value in (None, ""):
            return "—"
        if name == "urgency":
            return Urgency(value).label if value in Urgency.values else value
        if name == "due_date":
            return dt.date.fromisoformat(value).strftime("%d/%m/%Y") if isinstance(value, str) else value.strftime("%d/%m/%Y")
        return value

    return [(str(FIELDS[name]), shown(name, before), shown(name, after)) for name, (before, after) in changes.items() if name in FIELDS]
