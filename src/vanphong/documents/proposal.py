"""Metadata proposed from the recognised text of a document's first page.

Decree 30 (Phụ lục I) fixes where things are: the issuing agency top left, with the number and
notation under it; the national title top right, with the place and date under it; then the type
name and the subject centred, or, for a công văn, "V/v ..." under the number. Party documents
(Hướng dẫn 36) swap the title for "ĐẢNG CỘNG SẢN VIỆT NAM" and write "Số 127-QĐ/TW".

The text comes from `pdftotext -layout`, so the two header columns share lines and are separated
by runs of spaces. Everything here is a proposal: the clerk checks and corrects it.
"""

from __future__ import annotations

import datetime as dt
import re

from vanphong.core.text import fold
from vanphong.documents.types import DocumentType

HEADER_LINES = 25  # the header and subject sit in the first lines of a page
_COLUMN_GAP = re.compile(r"\s{3,}")
_NUMBER = re.compile(r"\bS[ốo]\s*[:.]?\s*(?P<number>\d{1,7})\s*(?P<sep>[/-])\s*(?P<notation>[0-9A-ZĐ][0-9A-Za-zĐđ./-]*[0-9A-Za-zĐđ])", re.U)
_DATE = re.compile(r"ng[àa]y\s+(?P<d>\d{1,2})\s+th[áa]ng\s+(?P<m>\d{1,2})\s+n[ăa]m\s+(?P<y>\d{4})", re.I | re.U)
_NATIONAL = ("cong hoa xa hoi chu nghia viet nam", "doc lap - tu do - hanh phuc", "doc lap tu do hanh phuc",
             "dang cong san viet nam")
_SUBJECT_START = re.compile(r"^(v/v|về việc|về)\b", re.I | re.U)
_PLACE_WORDS = ("tỉnh", "thành phố", "huyện", "quận", "thị xã", "xã", "phường", "thị trấn")
_ORGAN_WORDS = ("sở", "bộ", "ban", "cục", "vụ", "văn phòng", "tổng cục", "chi cục", "viện", "phòng", "trung tâm")
_ORGAN_WORDS_FOLDED = {fold(w).split()[0] for w in _ORGAN_WORDS}
_ACRONYMS = {"ubnd", "hđnd", "mttq", "tw", "tp", "bch", "đcs", "tnhh"}
_SUBJECT_END = re.compile(r"^(kính gửi|căn cứ|thực hiện|theo)\b", re.I | re.U)

# Type names as printed (folded) → type code; longest first so "quy dinh" does not take "quyet dinh".
_TYPE_NAMES = sorted(((fold(str(label).split("(")[-1].rstrip(")")), code) for code, label in DocumentType.choices),
                     key=lambda item: -len(item[0]))


def _nth_nonblank(lines: list[str], n: int) -> int:
    seen = 0
    for index, line in enumerate(lines):
        seen += bool(line.strip())
        if seen >= n:
            return index + 1
    return len(lines)


def _columns(line: str) -> list[str]:
    return [part for part in _COLUMN_GAP.split(line.strip()) if part]


def _is_national(text: str) -> bool:
    folded = fold(text).strip(" *-")
    return any(folded.startswith(n) for n in _NATIONAL) or folded in ("", "*")


def _sentence_case(text: str) -> str:
    """"ỦY BAN NHÂN DÂN TỈNH BẮC NINH" → "Ủy ban nhân dân tỉnh Bắc Ninh"; "SỞ TÀI CHÍNH" → "Sở Tài chính":
    the first word, the word after an organ's kind, and every word after a place word take capitals."""
    words = text.lower().split()
    out, rest_capital = [], False
    for i, word in enumerate(words):
        previous = " ".join(words[max(0, i - 2): i])
        capital = i == 0 or rest_capital or (i == 1 and words[0] in _ORGAN_WORDS) or (i == 2 and previous in _ORGAN_WORDS)
        out.append(word.upper() if word in _ACRONYMS else word[:1].upper() + word[1:] if capital else word)
        if word in _PLACE_WORDS or " ".join(words[max(0, i - 1): i + 1]) in _PLACE_WORDS:
            rest_capital = True
    return " ".join(out)


def _doc_type(line: str) -> str | None:
    folded = fold(line).strip(" :")
    for name, code in _TYPE_NAMES:
        if folded == name:
            return code
    return None


def propose(text: str, *, agencies=None) -> dict:
    """Fields for the incoming form: doc_type, code_number, code_notation, issued_date (ISO),
    issuing_agency (id, when the directory knows it), issuing_agency_name, subject, page-one text."""
    page_one = text.split("\f", 1)[0]
    lines = [line.rstrip() for line in page_one.splitlines()]
    lines = lines[:_nth_nonblank(lines, HEADER_LINES)]
    proposal: dict = {}
    header_left: list[str] = []
    type_index = None
    for index, line in enumerate(lines):
        columns = _columns(line)
        number = _NUMBER.search(line)
        if number and "code_number" not in proposal:
            proposal["code_number"] = number["number"]
            proposal["code_notation"] = number["notation"].upper()
        date = _DATE.search(line)
        if date and "issued_date" not in proposal and type_index is None:
            try:
                proposal["issued_date"] = dt.date(int(date["y"]), int(date["m"]), int(date["d"])).isoformat()
            except ValueError:
                pass
        if "code_number" not in proposal and columns and not _is_national(columns[0]) and not number:
            header_left.append(columns[0])
        if type_index is None and len(columns) == 1 and (code := _doc_type(columns[0])):
            proposal["doc_type"], type_index = code, index
    subject = _subject(lines, type_index)
    if subject:
        proposal["subject"] = subject
    if "doc_type" not in proposal and subject and fold(subject).startswith("v/v"):
        proposal["doc_type"] = DocumentType.CONG_VAN.value
    if header_left:
        _issuer(proposal, header_left, agencies)
    return proposal


def _subject(lines: list[str], type_index: int | None) -> str:
    """The line(s) after the type name, or a công văn's "V/v" line(s), up to the next blank line."""
    if type_index is not None:
        start = type_index + 1
        while start < len(lines) and not lines[start].strip():
            start += 1
    else:
        start = next((i for i, line in enumerate(lines) if _SUBJECT_START.match(line.strip())), None)
        if start is None:
            return ""
    parts = []
    for line in lines[start:start + 3]:
        columns = _columns(line)
        if not columns or _SUBJECT_END.match(columns[0]) or (parts and _SUBJECT_START.match(columns[0])):
            break
        parts.append(columns[0])
    return " ".join(parts).strip()


def _issuer(proposal: dict, header_left: list[str], agencies) -> None:
    # One name may run over two lines ("ỦY BAN NHÂN DÂN" / "TỈNH BẮC NINH"); or the upper line names
    # the parent and the lower the issuer ("UBND TỈNH BẮC NINH" / "SỞ TÀI CHÍNH"): then the issuer is
    # "Sở Tài chính tỉnh Bắc Ninh", as clerks write it.
    whole = " ".join(header_left)
    candidates = [whole]
    if len(header_left) > 1 and fold(header_left[-1]).split()[0] in _ORGAN_WORDS_FOLDED:
        parent = header_left[-2].lower().split()
        place = next((i for i, w in enumerate(parent) if w in _PLACE_WORDS), None)
        candidates = [header_left[-1] + (" " + " ".join(parent[place:]) if place is not None else ""), header_left[-1], whole]
    if agencies is not None:
        by_name = {}
        for agency in agencies:
            by_name.setdefault(fold(agency.name), agency)
            by_name.setdefault(fold(agency.short_name or ""), agency)
        for candidate in candidates:
            agency = by_name.get(fold(candidate))
            if agency is not None:
                proposal["issuing_agency"] = agency.pk
                proposal["issuing_agency_name"] = agency.name
                return
    proposal["issuing_agency_name"] = _sentence_case(candidates[0])
