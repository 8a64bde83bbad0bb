"""Số, ký hiệu (number and notation) of documents.

State bodies (Decree 30/2020/NĐ-CP): "123/QĐ-UBND": number, "/", type, "-", agency; a công văn has
no type: "45/UBND-VP" (agency, then the drafting unit). Party bodies (Hướng dẫn 36-HD/VPTW):
"127-QĐ/TW": number, "-", type, "/", agency; a công văn is "45-CV/VPTW". Numbers below 10 take a
leading zero."""

from __future__ import annotations

import re

from vanphong.documents.types import DocumentType

PARTY, STATE = "party", "state"


def format_number(number: int) -> str:
    return f"{number:02d}"


def format_notation(*, doc_type: str, scheme: str, agency_notation: str, unit_short_name: str = "") -> str:
    if scheme == PARTY:
        return f"{doc_type}/{agency_notation}"
    if doc_type == DocumentType.CONG_VAN:
        return f"{agency_notation}-{unit_short_name}" if unit_short_name else agency_notation
    return f"{doc_type}-{agency_notation}"


def join_reference(code_number: str, code_notation: str, *, party: bool) -> str:
    return f"{code_number}{'-' if party else '/'}{code_notation}"


_STATE_REF = re.compile(r"^\s*(?:Số[:\s]*)?(\d{1,11})\s*/\s*([^\s/][^/]*?)\s*$", re.IGNORECASE)
_PARTY_REF = re.compile(r"^\s*(?:Số[:\s]*)?(\d{1,11})\s*-\s*([^\s/-][^/]*/[^/]+?)\s*$", re.IGNORECASE)


def parse_reference(text: str) -> tuple[str, str, str] | None:
    """"Số: 123/QĐ-UBND" → ("123", "QĐ-UBND", "state"); "127-QĐ/TW" → ("127", "QĐ/TW", "party")."""
    text = text.replace("–", "-").replace("—", "-")
    if match := _PARTY_REF.match(text):
        return match.group(1), re.sub(r"\s+", "", match.group(2)), PARTY
    if match := _STATE_REF.match(text):
        return match.group(1), re.sub(r"\s+", "", match.group(2)), STATE
    return None
