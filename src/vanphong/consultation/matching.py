"""Which unit of a new version of a draft is which unit of the version before it.

Drafts are renumbered between versions (an article inserted shifts all those after it), so a number
alone is not enough, and texts are rewritten, so text alone is not either. A unit of the new version
takes the old unit of its level with the best score, where the score is the similarity of their words
(title and text, diacritics folded) plus a bonus when they have the same number; each old unit goes to
one new unit at most, best pairs first. Clauses and points are matched only within matched parents.
Database-free: units are given as plain records.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vanphong.consultation.structure import fold

MIN_SCORE = 0.35  # below this the new unit is new: its comments' units had no successor
SAME_NUMBER_BONUS = 0.3
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Item:
    id: int
    level: str
    number: str
    text: str  # title and text
    parent: int | None


@dataclass(frozen=True)
class Match:
    new: int
    old: int
    similarity: float  # of their words, 0..1


def _words(text: str) -> set[str]:
    return set(_WORD.findall(fold(text)))


def similarity(a: set[str], b: set[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def match_units(old: list[Item], new: list[Item]) -> list[Match]:
    """Pairs (new id, old id), each unit in at most one pair."""
    words = {("o", i.id): _words(i.text) for i in old} | {("n", i.id): _words(i.text) for i in new}
    matches: dict[int, Match] = {}
    # Top-down: parents first, so that a clause is compared only with the clauses of its parent's match.
    old_by_parent: dict[tuple[str, int | None], list[Item]] = {}
    for item in old:
        old_by_parent.setdefault((item.level, item.parent), []).append(item)
    new_by_parent: dict[tuple[str, int | None], list[Item]] = {}
    for item in new:
        new_by_parent.setdefault((item.level, item.parent), []).append(item)
    level_order = ("part", "chapter", "section", "article", "clause", "point")
    for level in level_order:
        for (lv, new_parent), new_items in new_by_parent.items():
            if lv != level:
                continue
            if level in ("part", "chapter", "section", "article"):
                # Articles run through the whole text and may move between chapters: compare with all.
                pool = [i for i in old if i.level == level]
            else:
                if new_parent is None or new_parent not in matches:
                    continue
                pool = old_by_parent.get((level, matches[new_parent].old), [])
            _pair(new_items, [i for i in pool if i.id not in {m.old for m in matches.values()}], words, matches)
    return list(matches.values())


def _pair(new_items: list[Item], pool: list[Item], words, matches: dict[int, Match]) -> None:
    scored = []
    for n in new_items:
        for o in pool:
            sim = similarity(words[("n", n.id)], words[("o", o.id)])
            score = sim + (SAME_NUMBER_BONUS if n.number == o.number else 0.0)
            if score >= MIN_SCORE:
                scored.append((score, sim, n.id, o.id))
    scored.sort(key=lambda s: (-s[0], s[2], s[3]))
    taken_new, taken_old = set(matches), set()
    for _score, sim, n_id, o_id in scored:
        if n_id in taken_new or o_id in taken_old:
            continue
        matches[n_id] = Match(n_id, o_id, round(sim, 3))
        taken_new.add(n_id)
        taken_old.add(o_id)
