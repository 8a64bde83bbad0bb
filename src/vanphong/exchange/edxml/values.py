"""The value formats of edXML: dates `yyyy/MM/dd`, timestamps `yyyy/MM/dd HH:mm:ss`, agency codes
(mã định danh, `000.00.00.G22`) and DocumentId (`OrganId,yyyy/MM/dd,number/notation`).

Parsing returns the value and whether it was in the standard's form, so that the reader can
accept a near miss (an ISO date) and still report it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

AGENCY_CODE = re.compile(r"^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}\Z")
_DATE = re.compile(r"^([0-9]{4})/([0-9]{2})/([0-9]{2})\Z")
_ISO_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})\Z")
_TIMESTAMP = re.compile(r"^([0-9]{4})/([0-9]{2})/([0-9]{2}) ([0-9]{2}):([0-9]{2}):([0-9]{2})\Z")
_ISO_TIMESTAMP = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.[0-9]+)?\Z")


class BadValue(ValueError):
    pass


# edXML times carry no zone: they are Vietnam's local time, as every implementation writes them.
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def local_timestamp(moment: dt.datetime) -> dt.datetime:
    """An aware moment (a timezone.now(), a stored DateTimeField) as edXML carries it: Vietnam's
    local time, to the second, without a zone."""
    if moment.tzinfo is None:
        raise ValueError("local_timestamp() takes an aware datetime")
    return moment.astimezone(VIETNAM).replace(tzinfo=None, microsecond=0)


def format_date(value: dt.date) -> str:
    return f"{value.year:04d}/{value.month:02d}/{value.day:02d}"


def format_timestamp(value: dt.datetime) -> str:
    return f"{format_date(value)} {value.hour:02d}:{value.minute:02d}:{value.second:02d}"


def parse_date(text: str) -> tuple[dt.date, bool]:
    """(date, True) for `yyyy/MM/dd`; (date, False) for ISO `yyyy-MM-dd`; BadValue otherwise
    (including a day that does not exist, such as 2014/02/30)."""
    for pattern, standard in ((_DATE, True), (_ISO_DATE, False)):
        match = pattern.match(text)
        if match:
            try:
                return dt.date(*(int(g) for g in match.groups())), standard
            except ValueError:
                raise BadValue(text) from None
    raise BadValue(text)


def parse_timestamp(text: str) -> tuple[dt.datetime, bool]:
    """(datetime, True) for `yyyy/MM/dd HH:mm:ss`; (datetime, False) for ISO 8601 without a zone
    (fractions of a second dropped); BadValue otherwise."""
    for pattern, standard in ((_TIMESTAMP, True), (_ISO_TIMESTAMP, False)):
        match = pattern.match(text)
        if match:
            try:
                return dt.datetime(*(int(g) for g in match.groups())), standard
            except ValueError:
                raise BadValue(text) from None
    raise BadValue(text)


def is_agency_code(text: str) -> bool:
    return bool(AGENCY_CODE.match(text))


@dataclass
class DocumentIdParts:
    organ_id: str
    date: dt.date | None
    number: str
    notation: str


def parse_document_id(text: str) -> DocumentIdParts:
    """The three parts of a DocumentId; BadValue when it does not have them. A date that does not
    exist leaves `date` None (the caller reports it) rather than failing the whole identifier."""
    parts = text.split(",")
    if len(parts) != 3 or "/" not in parts[2]:
        raise BadValue(text)
    organ_id, date_text, code = (p.strip() for p in parts)
    number, _slash, notation = code.partition("/")
    try:
        date, _standard = parse_date(date_text)
    except BadValue:
        date = None
    return DocumentIdParts(organ_id=organ_id, date=date, number=number, notation=notation)
