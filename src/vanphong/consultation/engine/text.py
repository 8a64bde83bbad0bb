"""Vietnamese text for comparing comments: one canonical form whatever keyboard, encoding or
spelling habit produced it.

- `clean` is what we keep and show: NFC (Windows-1258 and macOS send decomposed marks), the
  Icelandic "Ð" that legacy fonts put for "Đ", no zero-width or odd spaces.
- `syllables` cuts a text into lower-case syllables whose tone sits in one canonical place, so
  "hoà"/"hòa" and "thuỷ"/"thủy" (old and new placement) are the same syllable.
- `fold_syllable` drops every diacritic ("quyết" → "quyet"): people type without them, so
  near-duplicates are also looked for on folded text; meaning is still compared with them
  ("bỏ" is not "bổ").
- `segment` joins syllables into words with pyvi's CRF model (shipped inside the package,
  nothing fetched at run time): "quy định" is one word, as is "cơ quan nhà nước".
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

from vanphong.core.text import fold as _fold
from vanphong.core.text import normalize as _normalize

_LOOKALIKE_MAP = {
    "\u00d0": "Đ", "\u00f0": "đ", "\u0189": "Đ", "\u0256": "đ",  # eth and African D used by old fonts for Đ
    "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u3000": " ",
    "\u200b": None, "\u200c": None, "\u200d": None, "\u2060": None, "\ufeff": None, "\u00ad": None,
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
}
_LOOKALIKES = re.compile("[" + "".join(_LOOKALIKE_MAP) + "]")


def clean(text: str) -> str:
    """The text as stored and shown: NFC, legacy look-alike letters fixed, white space collapsed."""
    text = unicodedata.normalize("NFC", text)
    if _LOOKALIKES.search(text):  # rare: a regex search is much cheaper than translate() on every text
        text = _LOOKALIKES.sub(lambda m: _LOOKALIKE_MAP[m.group()] or "", text)
    return _normalize(text)


def fold(text: str) -> str:
    """Lower-case without diacritics: "Quyết Định" → "quyet dinh"."""
    return _fold(clean(text))


_TONE_MARKS = {"\u0300": "f", "\u0301": "s", "\u0309": "r", "\u0303": "x", "\u0323": "j"}  # Telex letters
_MODIFIED = set("âăêôơư")
_VOWELS = set("aăâeêioôơuưy")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def _place_tone(base: str, tone: str) -> str:
    """Put the tone mark on the vowel the new-style rule names; the rule depends only on the
    toneless syllable, so every placement a person may have typed ends the same."""
    if not tone:
        return base
    start = 0
    if base.startswith("qu") or (base.startswith("gi") and len(base) > 2 and base[2] in _VOWELS):
        start = 2
    positions = [i for i in range(start, len(base)) if base[i] in _VOWELS]
    if not positions:
        positions = [i for i, c in enumerate(base) if c in _VOWELS]
        if not positions:
            return base + tone
    # the vowel cluster is the first run of vowels
    cluster = [positions[0]]
    for i in positions[1:]:
        if i == cluster[-1] + 1:
            cluster.append(i)
    ends_in_consonant = cluster[-1] < len(base) - 1
    modified = [i for i in cluster if base[i] in _MODIFIED]
    if modified:
        target = modified[-1]
    elif len(cluster) == 1 or ends_in_consonant:
        target = cluster[-1]
    elif len(cluster) == 3:
        target = cluster[1]
    elif base[cluster[0]:cluster[0] + 2] in ("oa", "oe", "uy"):
        target = cluster[1]
    else:
        target = cluster[0]
    mark = {"f": "\u0300", "s": "\u0301", "r": "\u0309", "x": "\u0303", "j": "\u0323"}[tone]
    return unicodedata.normalize("NFC", base[:target + 1] + mark + base[target + 1:])


@lru_cache(maxsize=200_000)
def canonical_syllable(word: str) -> str:
    """Lower-case syllable with its tone mark in the canonical place ("Hoà" → "hòa" or "hoà", the same for both)."""
    decomposed = unicodedata.normalize("NFD", word.casefold())
    tone = ""
    kept = []
    for ch in decomposed:
        if ch in _TONE_MARKS:
            tone = tone or _TONE_MARKS[ch]
        else:
            kept.append(ch)
    base = unicodedata.normalize("NFC", "".join(kept))
    return _place_tone(base, tone)


@lru_cache(maxsize=200_000)
def fold_syllable(syllable: str) -> str:
    decomposed = unicodedata.normalize("NFD", syllable.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def syllables(text: str, *, cleaned: bool = False) -> list[str]:
    """Canonical lower-case syllables (and numbers) of a text, punctuation dropped."""
    return [canonical_syllable(w) for w in _WORD.findall(text if cleaned else clean(text))]


_VIETNAMESE_LETTER = re.compile("[\u00c0-\u024f\u1ea0-\u1ef9]")


def has_diacritics(text: str) -> bool:
    """Whether an NFC text has any accented Latin letter (Vietnamese ones are all in these blocks)."""
    return _VIETNAMESE_LETTER.search(text) is not None


# ---- diacritics typed without ---------------------------------------------------------------------------------


class AccentRestorer:
    """Puts back the diacritics of a text typed without them, learnt from the accented comments of the
    same consultation: in context, "kien nghi nhap dieu nay" is most often "kiến nghị nhập điều này"
    there. A syllable never seen accented stays as typed. (pyvi's own restorer was tried: 14 ms a
    text and "để nghỉ bố khoản" for "đề nghị bỏ khoản" — this one is learnt from the very texts
    the consultation holds.)"""

    def __init__(self) -> None:
        self.left: dict[tuple[str, str], dict[str, int]] = {}
        self.right: dict[tuple[str, str], dict[str, int]] = {}
        self.single: dict[str, dict[str, int]] = {}

    def learn(self, syllable_lists) -> AccentRestorer:
        left, right, single = Counter(), Counter(), Counter()
        for syls in syllable_lists:
            folded = [fold_syllable(s) for s in syls]
            single.update(zip(folded, syls))
            left.update(zip(folded, folded[1:], syls[1:]))
            right.update(zip(folded, folded[1:], syls))
        for (f, s), n in single.items():
            self.single.setdefault(f, {})[s] = n
        for (f0, f1, s), n in left.items():
            self.left.setdefault((f0, f1), {})[s] = n
        for (f0, f1, s), n in right.items():
            self.right.setdefault((f0, f1), {})[s] = n
        return self

    def restore(self, syls: list[str]) -> list[str]:
        folded = [fold_syllable(s) for s in syls]
        out = []
        for k, syllable in enumerate(syls):
            scores: dict[str, float] = {}
            for table, key, weight in ((self.left, (folded[k - 1], folded[k]) if k else None, 1.0),
                                       (self.right, (folded[k], folded[k + 1]) if k + 1 < len(syls) else None, 1.0),
                                       (self.single, folded[k], 0.01)):
                for candidate, count in (table.get(key, {}) if key is not None else {}).items():
                    scores[candidate] = scores.get(candidate, 0.0) + weight * count
            out.append(max(scores, key=scores.__getitem__) if scores else syllable)
        return out


# ---- word segmentation ------------------------------------------------------------------------------------------

_CLAUSE = re.compile(r"[^.;:!?\n(),\"]+")


@lru_cache(maxsize=1)
def _pyvi():
    # Loading the CRF model takes a few seconds: only when a text is first segmented.
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pyvi import ViTokenizer
    return ViTokenizer


@lru_cache(maxsize=100_000)
def _segment_clause(clause: str) -> tuple[str, ...]:
    tokenized = _pyvi().tokenize(clause)
    words = []
    for token in tokenized.split():
        parts = [canonical_syllable(p) for p in token.split("_") if _WORD.fullmatch(p)]
        if parts:
            words.append("_".join(parts))
    return tuple(words)


def segment(text: str) -> list[str]:
    """Words of a text, syllables of one word joined by "_": "cơ quan nhà nước" → ["cơ_quan", "nhà_nước"].

    Clauses are segmented one by one and remembered: comments copied from a campaign or a
    template repeat clauses, and the model is the slow part."""
    words: list[str] = []
    for clause in _CLAUSE.findall(clean(text)):
        clause = clause.strip()
        if clause:
            words.extend(_segment_clause(clause))
    return words


class Segmenter:
    """Word segmentation fast enough for 100,000 distinct comments.

    pyvi's CRF takes about 1.5 ms a clause: minutes for a large consultation of distinct texts. So
    the CRF segments a sample of the consultation's clauses; the compound words it finds there,
    with pyvi's own lexicon of compounds, then cut every text by longest match, the same way for
    every text."""

    LONGEST = 4

    def __init__(self, sample: Iterable[str] = (), *, sample_size: int = 1500):
        self.words: set[tuple[str, ...]] = set(_pyvi_lexicon())
        for k, text in enumerate(sample):
            if k >= sample_size:
                break
            for word in segment(text):
                if "_" in word:
                    self.words.add(tuple(word.split("_")))
        self.starts = {w[0] for w in self.words}

    def segment(self, text: str) -> list[str]:
        syls = syllables(text)
        out, i, n = [], 0, len(syls)
        words, starts = self.words, self.starts
        while i < n:
            if syls[i] in starts:
                for size in range(min(self.LONGEST, n - i), 1, -1):
                    if tuple(syls[i:i + size]) in words:
                        out.append("_".join(syls[i:i + size]))
                        i += size
                        break
                else:
                    out.append(syls[i])
                    i += 1
            else:
                out.append(syls[i])
                i += 1
        return out


@lru_cache(maxsize=1)
def _pyvi_lexicon() -> frozenset[tuple[str, ...]]:
    """pyvi's list of Vietnamese compound words (the one its CRF's features look words up in)."""
    from importlib.resources import files

    entries = files("pyvi").joinpath("models/words.txt").read_text(encoding="utf-8").split("\n")
    return frozenset(t for t in (tuple(canonical_syllable(w) for w in e.split()) for e in entries) if 1 < len(t) <= 4)


def clear_caches() -> None:
    """Forget remembered syllables and segmentations (the model itself stays loaded)."""
    canonical_syllable.cache_clear()
    fold_syllable.cache_clear()
    _segment_clause.cache_clear()
