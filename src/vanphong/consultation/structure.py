"""The structure of a draft from its text: Phần, Chương, Mục, Điều, Khoản, Điểm of a legal text, or the
numbered sections of a plain report (I., 1., a)).

Input is the draft's paragraphs in order (a Word file's paragraphs, or a PDF's text lines, where a
paragraph may be cut over several lines: a line that opens no unit continues the unit before it).
Database-free, so that it is tested on its own and the same rules serve the web pages and the API.

- A legal text is recognised by its articles ("Điều 5. Phạm vi điều chỉnh"). Within an article,
  "1." opens a clause (khoản) and "a)" a point (điểm). Articles are numbered through the whole text,
  so a reference "Điều 5" names one article wherever its chapter is.
- A text without articles is a report: "I." (or "Phần I") opens a part, "1." a section (mục), "a)" a
  point, as agencies number their reports.
- Chapter and part titles often stand on the line under "Chương II": a short line in capitals there
  is taken as the title.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from vanphong.consultation.engine.references import from_roman, to_roman

# The levels of the engine's references (engine.references.LEVELS), largest first.
PART, CHAPTER, SECTION, ARTICLE, CLAUSE, POINT = "part", "chapter", "section", "article", "clause", "point"
LEVELS = (PART, CHAPTER, SECTION, ARTICLE, CLAUSE, POINT)
RANK = {level: rank for rank, level in enumerate(LEVELS)}
MAX_NODES = 20_000  # a draft with more units than this is not a draft: the rest stays text of the last unit
MAX_TEXT = 20_000  # characters kept per unit

_ORDINAL_WORDS = {"nhat": 1, "mot": 1, "hai": 2, "ba": 3, "tu": 4, "bon": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8,
                  "chin": 9, "muoi": 10}
_NUMBER = r"(?P<number>thu\s+\w+|[ivxlc]{1,7}|\d{1,3})"
_PART = re.compile(r"^phan\s+" + _NUMBER + r"\b\s*[.:\-–]?\s*(?P<title>.*)$")
_CHAPTER = re.compile(r"^chuong\s+" + _NUMBER + r"\b\s*[.:\-–]?\s*(?P<title>.*)$")
_SECTION = re.compile(r"^muc\s+" + _NUMBER + r"\b\s*[.:\-–]?\s*(?P<title>.*)$")
_ARTICLE = re.compile(r"^dieu\s+(?P<number>\d{1,3}[a-z]?)\s*[.:]\s*(?P<title>.*)$")
_CLAUSE = re.compile(r"^(?P<number>\d{1,3})\s*[.)]\s+(?P<title>\S.*)$")
_POINT = re.compile(r"^(?P<number>[a-z])\s*\)\s*(?P<title>\S.*)$")
_ROMAN_HEADING = re.compile(r"^(?P<number>[ivxlc]{1,7})\s*[.)]\s+(?P<title>\S.*)$")


@dataclass
class Unit:
    level: str
    number: str  # as the draft writes it, normalised: "II" for a chapter, "5" or "5a" for an article, "a" for a point
    title: str = ""
    text: str = ""
    parent: int | None = None  # index in the list of units
    children: list[int] = field(default_factory=list)
    key: str = ""  # the unit's place: "article:5/clause:2/point:a"

    def label(self) -> str:
        return label_of(self.level, self.number)


@dataclass
class Structure:
    kind: str  # "legal" or "report"
    units: list[Unit]
    preamble: str = ""  # text before the first unit (the draft's title, its grounds)

    def find(self, key: str) -> Unit | None:
        return next((u for u in self.units if u.key == key), None)


_LABELS = {PART: "Phần {}", CHAPTER: "Chương {}", SECTION: "Mục {}", ARTICLE: "Điều {}", CLAUSE: "Khoản {}", POINT: "Điểm {}"}


def label_of(level: str, number: str) -> str:
    """Vietnamese, as drafts write it: "Chương II", "Điều 5", "Khoản 2", "Điểm a"."""
    return _LABELS[level].format(number)


def fold(text: str) -> str:
    """Lower case, no diacritics, đ as d: one character per character is not needed here."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def _clean(line: str) -> str:
    line = unicodedata.normalize("NFC", line).replace("\u00a0", " ").replace("\t", " ")
    return re.sub(r"\s+", " ", "".join(c for c in line if unicodedata.category(c) not in ("Cc", "Cf"))).strip()


def _ordinal(raw: str) -> int | None:
    raw = raw.strip()
    if raw.startswith("thu"):
        return _ORDINAL_WORDS.get(raw.split()[-1])
    if raw.isdigit():
        return int(raw)
    return from_roman(raw)


def _roman_number(raw: str) -> str | None:
    value = _ordinal(raw)
    return to_roman(value) if value else None


def _is_title_line(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and len(line) <= 200 and all(c.isupper() for c in letters)


def find_structure(paragraphs: list[str] | str) -> Structure:
    """The tree of the draft's units, in document order (parents before their children)."""
    lines = [_clean(p) for p in (paragraphs.splitlines() if isinstance(paragraphs, str) else paragraphs)]
    lines = [line for line in lines if line]
    legal = any(_ARTICLE.match(fold(line)) for line in lines)
    units: list[Unit] = []
    preamble: list[str] = []
    open_at: dict[str, int] = {}  # level -> index of the unit of that level now open
    awaiting_title: int | None = None

    def add(level: str, number: str, title: str) -> int:
        for lower in LEVELS[RANK[level]:]:
            open_at.pop(lower, None)
        parent = max((open_at[lv] for lv in LEVELS[:RANK[level]] if lv in open_at), default=None)
        unit = Unit(level, number, title=title[:MAX_TEXT], parent=parent)
        units.append(unit)
        index = len(units) - 1
        if parent is not None:
            units[parent].children.append(index)
        open_at[level] = index
        return index

    for line in lines:
        folded = fold(line)
        if awaiting_title is not None:
            unit = units[awaiting_title]
            awaiting_title = None
            if not unit.title and _is_title_line(line) and not _opens_unit(folded, legal, open_at):
                unit.title = line
                continue
        opened = _open(folded, line, legal, open_at) if len(units) < MAX_NODES else None
        if opened is not None:
            level, number, title = opened
            index = add(level, number, title)
            if level in (PART, CHAPTER, SECTION) and not title:
                awaiting_title = index
            continue
        current = _deepest(open_at)
        if current is None:
            preamble.append(line)
            continue
        unit = units[current]
        if len(unit.text) < MAX_TEXT:
            unit.text = (unit.text + "\n" + line if unit.text else line)[:MAX_TEXT]
    _set_keys(units)
    return Structure("legal" if legal else "report", units, "\n".join(preamble)[:MAX_TEXT])


def _deepest(open_at: dict[str, int]) -> int | None:
    return max(open_at.values()) if open_at else None


def _opens_unit(folded: str, legal: bool, open_at: dict[str, int]) -> bool:
    return _open(folded, folded, legal, open_at) is not None


def _open(folded: str, line: str, legal: bool, open_at: dict[str, int]) -> tuple[str, str, str] | None:
    """(level, number, title) if the line opens a unit."""
    def title(match) -> str:
        return line[match.start("title"):].strip() if match.group("title") else ""

    for level, pattern in ((PART, _PART), (CHAPTER, _CHAPTER), (SECTION, _SECTION)):
        match = pattern.match(folded)
        if match:
            number = _roman_number(match.group("number")) if level != SECTION else _section_number(match.group("number"))
            if number:
                return level, number, title(match)
    if legal:
        match = _ARTICLE.match(folded)
        if match:
            return ARTICLE, match.group("number"), title(match)
        if ARTICLE in open_at:
            match = _CLAUSE.match(folded)
            if match:
                return CLAUSE, str(int(match.group("number"))), title(match)
            match = _POINT.match(folded)
            if match:
                return POINT, line[match.start("number")].lower(), title(match)
        return None
    # A report: I. / 1. / a)
    match = _ROMAN_HEADING.match(folded)
    if match and from_roman(match.group("number")):
        # "i." or "c." could be a point's letter: a Roman heading only where no point list is running
        if not (len(match.group("number")) == 1 and POINT in open_at and match.group("number") not in "iv"):
            return PART, _roman_number(match.group("number")), title(match)
    match = _CLAUSE.match(folded)
    if match:
        return SECTION, str(int(match.group("number"))), title(match)
    match = _POINT.match(folded)
    if match and (SECTION in open_at or PART in open_at):
        return POINT, line[match.start("number")].lower(), title(match)
    return None


def _section_number(raw: str) -> str | None:
    value = _ordinal(raw)
    return str(value) if value else None


def _set_keys(units: list[Unit]) -> None:
    """Keys are unique within a draft: an article's key is its number alone (articles run through the whole
    text); other units are placed under their parents. A number met twice under one parent (a typing slip
    in the draft) gets a suffix, so that each unit keeps a place of its own."""
    seen: set[str] = set()
    for unit in units:
        own = f"{unit.level}:{unit.number}"
        if unit.level == ARTICLE or unit.parent is None:
            key = own
        else:
            key = f"{units[unit.parent].key}/{own}"
        base, n = key, 2
        while key in seen:
            key = f"{base}~{n}"
            n += 1
        seen.add(key)
        unit.key = key


def key_for_reference(reference) -> list[str]:
    """Candidate keys for an engine Reference, most precise first: "khoản 2 Điều 3" tries the clause, then
    the article. A paragraph ("đoạn") is no unit of ours: its section or article stands for it."""
    candidates: list[str] = []
    if reference.article:
        base = f"{ARTICLE}:{reference.article}"
        if reference.clause is not None and reference.point:
            candidates.append(f"{base}/{CLAUSE}:{reference.clause}/{POINT}:{reference.point}")
        if reference.clause is not None:
            candidates.append(f"{base}/{CLAUSE}:{reference.clause}")
        elif reference.point:
            candidates.append(f"{base}/{POINT}:{reference.point}")
        candidates.append(base)
        return candidates
    chain = []
    if reference.part is not None:
        chain.append(f"{PART}:{to_roman(reference.part)}")
    if reference.chapter is not None:
        chain.append(f"{CHAPTER}:{to_roman(reference.chapter)}")
    if reference.section is not None:
        chain.append(f"{SECTION}:{reference.section}")
    if reference.point and chain:
        candidates.append("/".join([*chain, f"{POINT}:{reference.point}"]))
    for end in range(len(chain), 0, -1):
        candidates.append("/".join(chain[:end]))
    return candidates


def resolve(reference, keys: set[str] | dict) -> tuple[str | None, bool]:
    """The key of the unit a Reference names, and whether it names it exactly. (None, False): nothing the
    reference names exists in the draft. A chain that stops short of the top ("Mục 1" in a law whose
    sections sit in chapters) is found by its end when that end is unique."""
    candidates = key_for_reference(reference)
    for position, key in enumerate(candidates):
        found = key if key in keys else _unique_suffix(key, keys)
        if found:
            return found, position == 0
    return None, False


def _unique_suffix(key: str, keys) -> str | None:
    matches = [k for k in keys if k.endswith("/" + key)]
    return matches[0] if len(matches) == 1 else None
