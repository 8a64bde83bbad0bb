"""References to a draft's structure in free text: "Điều 5", "khoản 2 Điều 3", "điểm a khoản 1 Điều 4",
"tại Chương II", "đoạn 3 mục 1 phần II", "khoản 1, 2 và 3 Điều 7", "Đ.5", "k2 Đ.5", with or without
diacritics, Roman or Arabic numerals, smaller unit first (as drafters write) or larger first.

`parse_references(text)` returns them in order of appearance, each with the span it came from.
Within one run of units ("khoản 2 Điều 5 và khoản 3 Điều 7") a unit that repeats a level already
given starts a new reference; a later reference that stops short of the levels above
("khoản 2 Điều 5 và khoản 3") takes them from the one before it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

from vanphong.consultation.engine.text import clean

LEVELS = ("point", "clause", "paragraph", "article", "section", "chapter", "part")  # smallest first
_RANK = {level: rank for rank, level in enumerate(LEVELS)}
_WORD_LEVEL = {"diem": "point", "khoan": "clause", "k": "clause", "doan": "paragraph", "dieu": "article", "d": "article",
               "muc": "section", "chuong": "chapter", "phan": "part"}
_ORDINALS = {"nhat": 1, "mot": 1, "hai": 2, "ba": 3, "tu": 4, "bon": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9,
             "muoi": 10}
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}

_VALUE = r"(?:\d{1,3}[a-z]?|[ivxlc]{1,7}|[a-z]|thu\s+(?:" + "|".join(_ORDINALS) + r"))"
_UNIT = re.compile(
    r"\b(?P<word>diem|khoan|doan|dieu|muc|chuong|phan|k(?=\.?\s*\d)|d(?=\.\s*\d))\.?\s*"
    r"(?P<values>" + _VALUE + r"(?:\s*(?:,|;|va|hoac|den|-|–)\s*" + _VALUE + r")*)(?![\w])")
_LIST_SEPARATOR = re.compile(r"\s*(?:,|;|\bva\b|\bhoac\b|\bden\b|-|–)\s*")
_GLUE = re.compile(r"^[\s,;()]*(?:(?:cua|thuoc|tai|o|trong|va|hoac)\b[\s,;()]*)*$")


@dataclass(frozen=True)
class Reference:
    part: int | None = None
    chapter: int | None = None
    section: int | None = None
    article: str | None = None
    paragraph: int | None = None
    clause: int | None = None
    point: str | None = None
    start: int = 0
    end: int = 0

    def label(self) -> str:
        """Vietnamese, smallest unit first: "điểm a khoản 1 Điều 4", "Mục 1 Chương II"."""
        parts = []
        if self.point:
            parts.append(f"điểm {self.point}")
        if self.clause is not None:
            parts.append(f"khoản {self.clause}")
        if self.paragraph is not None:
            parts.append(f"đoạn {self.paragraph}")
        if self.article:
            parts.append(f"Điều {self.article}")
        if self.section is not None:
            parts.append(f"Mục {self.section}")
        if self.chapter is not None:
            parts.append(f"Chương {to_roman(self.chapter)}")
        if self.part is not None:
            parts.append(f"Phần {to_roman(self.part)}")
        return " ".join(parts)

    def key(self) -> tuple:
        """The place referred to, without the span."""
        return tuple(getattr(self, level) for level in reversed(LEVELS))

    def highest(self) -> str | None:
        return next((level for level in reversed(LEVELS) if getattr(self, level) is not None), None)


def to_roman(number: int) -> str:
    out = []
    for value, letters in ((100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while number >= value:
            out.append(letters)
            number -= value
    return "".join(out)


def from_roman(text: str) -> int | None:
    total, previous = 0, 0
    for ch in reversed(text.lower()):
        value = _ROMAN.get(ch)
        if value is None:
            return None
        total = total - value if value < previous else total + value
        previous = max(previous, value)
    return total if total and to_roman(total).lower() == text.lower() else None


def fold_aligned(text: str) -> str:
    """Lower case without diacritics, one character for each character of `text` (offsets stay valid)."""
    out = []
    for ch in text:
        if ch in "đĐ":
            out.append("d")
            continue
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        out.append(base.lower()[:1] if len(base.lower()) == 1 else ch.lower()[:1] or " ")
    return "".join(out)


def _value(level: str, raw: str, original: str):
    raw = raw.strip()
    if raw.startswith("thu"):
        return _ORDINALS.get(raw.split()[-1]) if level != "point" else None
    if level == "point":
        return original.strip().lower() if len(raw) == 1 and raw.isalpha() else None
    if level == "article":
        return raw if raw[0].isdigit() else None
    if raw.isdigit():
        return int(raw)
    if level in ("chapter", "part", "section"):
        return from_roman(raw)
    return None


def parse_references(text: str) -> list[Reference]:
    text = clean(text)
    folded = fold_aligned(text)
    units = []  # (level, [values], start, end)
    for match in _UNIT.finditer(folded):
        level = _WORD_LEVEL[match.group("word")]
        values = []
        position = match.start("values")
        for piece in _LIST_SEPARATOR.split(match.group("values")):
            at = folded.find(piece, position)
            original = text[at:at + len(piece)]
            position = at + len(piece)
            value = _value(level, piece, original)
            if value is not None:
                values.append(value)
        if values:
            units.append((level, values, match.start(), match.end()))
    # runs: units joined only by commas, "và", "của", "tại"…
    runs: list[list[tuple]] = []
    for k, unit in enumerate(units):
        if k and _GLUE.match(folded[units[k - 1][3]:unit[2]]):
            runs[-1].append(unit)
        else:
            runs.append([unit])
    references: list[Reference] = []
    for run in runs:
        references.extend(_expand_run(_chains(run)))
    return references


def _chains(run: list[tuple]) -> list[dict]:
    """Cut a run into references. Drafters write the smallest unit first ("điểm a khoản 1 Điều 4"),
    some the largest first ("Điều 4 khoản 1"): a lower unit continues a chain only when the unit
    after it does not climb again ("Điều 5 và khoản 2 Điều 7" is two references)."""
    chains: list[dict] = []
    for k, (level, values, start, end) in enumerate(run):
        if chains:
            chain = chains[-1]
            last = chain["last"]
            climbs_next = k + 1 < len(run) and _RANK[run[k + 1][0]] > _RANK[level]
            if level == last:
                chain["levels"][level].extend(values)  # "khoản 2 và khoản 3"
                chain["end"] = end
                continue
            if level not in chain["levels"] and (_RANK[level] > _RANK[last] or not climbs_next):
                chain["levels"][level] = list(values)
                chain["last"], chain["end"] = level, end
                continue
        chains.append({"levels": {level: list(values)}, "last": level, "start": start, "end": end})
    return chains


def _expand_run(chains: list[dict]) -> list[Reference]:
    out: list[Reference] = []
    previous: Reference | None = None
    for item in chains:
        combos = [{}]
        for level, values in item["levels"].items():
            combos = [{**c, level: v} for c in combos for v in dict.fromkeys(values)]
        made = []
        for combo in combos:
            reference = Reference(start=item["start"], end=item["end"], **combo)
            if previous is not None:  # "khoản 2 Điều 5 và khoản 3": Điều 5 carries over
                reference = complete(reference, previous)
            made.append(reference)
        out.extend(made)
        previous = made[-1] if made else previous
    return out


def complete(reference: Reference, context: Reference) -> Reference:
    """`reference` with the levels above its highest one taken from `context`: "điểm c khoản 1"
    under "Điều 12" is "điểm c khoản 1 Điều 12"."""
    if reference.highest() == "article":
        return reference  # articles are numbered through the whole text: "Điều 12" under "Chương III" is not in it
    top = _RANK[reference.highest()]
    inherited = {lv: getattr(context, lv) for lv in LEVELS if _RANK[lv] > top and getattr(context, lv) is not None}
    return replace(reference, **inherited) if inherited else reference
