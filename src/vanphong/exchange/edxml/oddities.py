"""What the tolerant reader found odd in a package, as structured entries: a stable code for
programs (the receiver decides on codes), a message in the reader's language, and where.

Severity: "warning" when the package says what it means anyway (a nested From, an ISO date, an
unknown element); "error" when part of it could not be taken in or cannot be acted on (a date
that does not exist, an attachment that is not base64 or over the limit, a status code or
BussinessDocType not in the standard). What could not be read is left empty (None) in the model,
a code outside the standard is kept as sent; a receiver refuses such a package (status 02).

A package that cannot be read at all (not XML, not edXML, hostile, no sender) is not an oddity:
the reader raises UnreadablePackage.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

WARNING, ERROR = "warning", "error"

# code: (severity, message with %(name)s placeholders)
MESSAGES = {
    "namespace": (WARNING, _("Element %(element)s is not in the edXML namespace (%(namespace)s).")),
    "unknown_element": (WARNING, _("Element %(element)s is not part of edXML here and was ignored.")),
    "repeated_element": (WARNING, _("Element %(element)s appears %(count)d times; only the first was read.")),
    "unexpected_children": (WARNING, _("Element %(element)s should hold text only; its child elements were ignored.")),
    "nested_from": (WARNING, _("The sender (From) is nested inside another From element.")),
    "missing": (WARNING, _("Required element %(element)s is missing or empty.")),
    "empty_recipient": (WARNING, _("A recipient (To) has no agency code and was left out.")),
    "agency_code": (WARNING, _("“%(value)s” is not an agency code of the form 000.00.00.A00.")),
    "non_standard_date": (WARNING, _("Date “%(value)s” is not written yyyy/MM/dd as edXML requires; it was read as %(read)s.")),
    "non_standard_timestamp": (WARNING, _("Time “%(value)s” is not written yyyy/MM/dd HH:mm:ss as edXML requires; "
                                          "it was read as %(read)s.")),
    "bad_date": (ERROR, _("“%(value)s” is not a valid date (yyyy/MM/dd).")),
    "bad_timestamp": (ERROR, _("“%(value)s” is not a valid time (yyyy/MM/dd HH:mm:ss).")),
    "bad_integer": (ERROR, _("“%(value)s” is not a whole number.")),
    "bad_boolean": (ERROR, _("“%(value)s” is neither true nor false.")),
    "non_standard_boolean": (WARNING, _("“%(value)s” should be written true or false.")),
    "document_id_form": (WARNING, _("DocumentId “%(value)s” is not of the form OrganId,yyyy/MM/dd,number/notation.")),
    "document_id_bad_date": (WARNING, _("DocumentId “%(value)s” holds a date that does not exist.")),
    "document_id_sender": (WARNING, _("DocumentId names agency %(value)s, but the package is from %(expected)s.")),
    "document_id_date": (WARNING, _("DocumentId carries the date %(value)s, but the promulgation date is %(expected)s.")),
    "document_id_code": (WARNING, _("DocumentId carries the number “%(value)s”, but Code says “%(expected)s”.")),
    "document_id_derived": (WARNING, _("DocumentId is missing; it was made from the sender, date and code: %(value)s.")),
    "priority": (WARNING, _("Priority %(value)s is not one of 0 to 4.")),
    "business_doc_type": (ERROR, _("BussinessDocType %(value)s is not one of 0 (new), 1 (recall), 2 (update), 3 (replace).")),
    "status_code_form": (WARNING, _("Status code “%(value)s” should have two digits; it was read as %(read)s.")),
    "unknown_status_code": (ERROR, _("Status code %(value)s is not one that edXML defines.")),
    "text_not_nfc": (WARNING, _("Text in %(element)s was not in Unicode NFC form and was normalised.")),
    "bad_base64": (ERROR, _("Attachment “%(name)s” is not valid base64 and could not be read.")),
    "attachment_too_large": (ERROR, _("Attachment “%(name)s” is larger than %(limit)s, the most this system accepts; "
                                      "it was not read.")),
    "attachment_without_id": (WARNING, _("Attachment “%(name)s” has no ContentId.")),
    "duplicate_content_id": (WARNING, _("More than one attachment has ContentId %(value)s.")),
    "attachment_not_in_manifest": (WARNING, _("Attachment %(value)s is not listed in the manifest.")),
    "manifest_without_attachment": (WARNING, _("The manifest lists %(value)s, but the package does not carry it.")),
    "signature_placeholder": (WARNING, _("The Signature element is not an XML-DSig signature (wrong namespace): "
                                         "a placeholder that no one can verify.")),
    "signature_outside_header": (WARNING, _("A signature is outside edXMLHeader, where edXML puts it.")),
    "signatures_repeated": (WARNING, _("The package carries %(count)d signatures; edXML has exactly one.")),
}


@dataclass
class Oddity:
    code: str
    location: str = ""
    params: dict = field(default_factory=dict)

    @property
    def severity(self) -> str:
        return MESSAGES[self.code][0]

    @property
    def message(self) -> str:
        return str(MESSAGES[self.code][1]) % self.params if self.params else str(MESSAGES[self.code][1])

    def as_dict(self) -> dict:
        return {"code": self.code, "severity": self.severity, "location": self.location, "message": self.message}


class UnreadablePackage(ValidationError):
    """The file is not a package this system can read; the message says why, in the user's language."""
