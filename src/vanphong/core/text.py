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
