"""Vietnamese text helpers: Unicode normalisation and diacritic folding for search and matching."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def normalize(text: str) -> str:
    """NFC with collapsed white space: what we store for any text a person typed or imported.

    Windows-1258 and some keyboards produce decomposed tone marks; NFC makes "ế" one code point."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def fold(text: str) -> str:
    """Lower-case, no diacritics, "đ" → "d": "Quyết Định" → "quyet dinh"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped).strip().lower()


# Vietnamese alphabetical order: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y, tones
# after letters (none, huyền, hỏi, ngã, sắc, nặng). The key maps each letter to two ASCII
# characters so that a plain byte-wise ORDER BY on either database sorts names as Vietnamese do.
_BASE_ORDER = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn: part of the letter, not the tone


def _letter_key(char: str) -> str:
    decomposed = unicodedata.normalize("NFD", char.lower())
    tone = next((_TONES[m] for m in decomposed if m in _TONES), 0)
    letter = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
    if letter in _BASE_ORDER:
        return chr(ord("A") + _BASE_ORDER.index(letter)) + str(tone)
    if letter.isdigit():
        return "0" + letter
    return " " if letter.isspace() else "~" + letter


def collation_key(text: str) -> str:
    return "".join(_letter_key(c) for c in normalize(text))


def name_sort_key(full_name: str) -> str:
    """Vietnamese lists sort people by given name (the last word), then by the whole name."""
    name = normalize(full_name)
    given = name.rsplit(" ", 1)[-1]
    return f"{collation_key(given)}|{collation_key(name)}"
