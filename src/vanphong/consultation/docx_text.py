"""A Word file's paragraphs with their automatic numbers written out.

Drafts are often numbered by Word itself ("Điều %1." on the article style, "%1." on clauses, "%2)" on points): the
numbers are then not in the paragraphs' text, and a reader of the text alone (documents.attachments) would see
articles without "Điều 5" and clauses without "1.". Here each numbered paragraph gets the label Word shows, computed
from numbering.xml (the paragraph's own numbering or its style's), so that the structure finder and the answer
splitter see what the reader sees. Bullets are left out (they number nothing).

The file has already been checked as a safe Word package (documents.attachments.inspect: size, entries, ratio);
XML is parsed without entities, DTDs or network.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field

from lxml import etree

from vanphong.consultation.engine.references import to_roman

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
MAX_PARAGRAPHS = 200_000


def _parser():
    return etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True, huge_tree=False, remove_comments=True,
                           remove_pis=True)


@dataclass
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."


@dataclass
class _Numbering:
    abstract: dict[str, dict[int, _Level]] = field(default_factory=dict)
    nums: dict[str, tuple[str, dict[int, int]]] = field(default_factory=dict)  # numId -> (abstractNumId, start overrides)

    def level(self, num_id: str, ilvl: int) -> _Level | None:
        if num_id not in self.nums:
            return None
        abstract_id, _overrides = self.nums[num_id]
        return self.abstract.get(abstract_id, {}).get(ilvl)


def _val(element, tag: str) -> str | None:
    child = element.find(tag) if element is not None else None
    return child.get(f"{W}val") if child is not None else None


def _read_numbering(zf: zipfile.ZipFile) -> _Numbering:
    numbering = _Numbering()
    try:
        root = etree.fromstring(zf.read("word/numbering.xml"), _parser())
    except KeyError:
        return numbering
    for abstract in root.iter(f"{W}abstractNum"):
        levels = {}
        for lvl in abstract.iter(f"{W}lvl"):
            try:
                ilvl = int(lvl.get(f"{W}ilvl", "0"))
                start = int(_val(lvl, f"{W}start") or 1)
            except ValueError:
                continue
            levels[ilvl] = _Level(start, _val(lvl, f"{W}numFmt") or "decimal", _val(lvl, f"{W}lvlText") or "")
        numbering.abstract[abstract.get(f"{W}abstractNumId")] = levels
    for num in root.iter(f"{W}num"):
        overrides = {}
        for override in num.iter(f"{W}lvlOverride"):
            start = _val(override, f"{W}startOverride")
            if start and start.isdigit():
                overrides[int(override.get(f"{W}ilvl", "0"))] = int(start)
        numbering.nums[num.get(f"{W}numId")] = (_val(num, f"{W}abstractNumId"), overrides)
    return numbering


def _style_numbering(zf: zipfile.ZipFile) -> dict[str, tuple[str, int]]:
    """Style id -> (numId, ilvl) for styles that carry numbering, through their basedOn chain."""
    try:
        root = etree.fromstring(zf.read("word/styles.xml"), _parser())
    except KeyError:
        return {}
    own, based = {}, {}
    for style in root.iter(f"{W}style"):
        sid = style.get(f"{W}styleId")
        based[sid] = _val(style, f"{W}basedOn")
        num_pr = style.find(f"{W}pPr/{W}numPr")
        if num_pr is not None:
            own[sid] = (_val(num_pr, f"{W}numId"), int(_val(num_pr, f"{W}ilvl") or 0))
    out = {}
    for sid in based:
        seen, current = set(), sid
        while current and current not in own and current not in seen:
            seen.add(current)
            current = based.get(current)
        if current in own:
            out[sid] = own[current]
    return out


def _letter(n: int) -> str:
    n = max(n, 1)
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def _format(n: int, fmt: str) -> str:
    if fmt in ("lowerLetter",):
        return _letter(n)
    if fmt == "upperLetter":
        return _letter(n).upper()
    if fmt == "upperRoman":
        return to_roman(n)
    if fmt == "lowerRoman":
        return to_roman(n).lower()
    if fmt == "none":
        return ""
    return str(n)  # decimal, decimalZero and the rest


def paragraphs(path) -> list[str]:
    """The paragraphs of the main document, in order (tables included), each with its automatic number in front."""
    with zipfile.ZipFile(path) as zf:
        numbering = _read_numbering(zf)
        by_style = _style_numbering(zf)
        root = etree.fromstring(zf.read("word/document.xml"), _parser())
    counters: dict[str, dict[int, int]] = {}
    out: list[str] = []
    for p in root.iter(f"{W}p"):
        if len(out) >= MAX_PARAGRAPHS:
            break
        if any(ancestor.tag == _MC_FALLBACK for ancestor in p.iterancestors()):
            continue
        parts = []
        for node in p.iter(f"{W}t", f"{W}tab", f"{W}br"):
            if any(a.tag == _MC_FALLBACK for a in node.iterancestors() if a is not p):
                continue
            parts.append((node.text or "") if node.tag == f"{W}t" else " ")
        text = "".join(parts).strip()
        label = _label(p, numbering, by_style, counters)
        line = f"{label} {text}".strip() if label else text
        if line:
            out.append(line)
    return out


def _label(p, numbering: _Numbering, by_style, counters) -> str:
    ppr = p.find(f"{W}pPr")
    num_pr = ppr.find(f"{W}numPr") if ppr is not None else None
    num_id, ilvl = None, 0
    if num_pr is not None:
        num_id = _val(num_pr, f"{W}numId")
        ilvl_val = _val(num_pr, f"{W}ilvl")
    else:
        ilvl_val = None
    style = _val(ppr, f"{W}pStyle") if ppr is not None else None
    if num_id is None and style in by_style:
        num_id, ilvl = by_style[style]
    elif ilvl_val is not None and ilvl_val.isdigit():
        ilvl = int(ilvl_val)
    elif num_id is not None and style in by_style and by_style[style][0] == num_id:
        ilvl = by_style[style][1]
    if not num_id or num_id == "0":
        return ""
    level = numbering.level(num_id, ilvl)
    if level is None or level.fmt == "bullet":
        return ""
    abstract_id, overrides = numbering.nums[num_id]
    count = counters.setdefault(num_id, {})
    for deeper in [k for k in count if k > ilvl]:
        del count[deeper]
    count[ilvl] = count[ilvl] + 1 if ilvl in count else overrides.get(ilvl, level.start)
    text = level.text
    for k in range(9):
        if f"%{k + 1}" in text:
            sub = numbering.level(num_id, k) or _Level()
            value = count.get(k, overrides.get(k, sub.start))
            text = text.replace(f"%{k + 1}", _format(value, sub.fmt))
    return text.strip()
