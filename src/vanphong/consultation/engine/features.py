"""Comments as vectors whose cosine says how much two comments ask for the same thing.

Four kinds of features, each block TF-IDF weighted (sublinear) and L2-normalised, then weighted:
- content syllables with diacritics (synonyms replaced by one token, courtesy dropped): meaning;
- the same folded, with their bigrams: matches people who type without diacritics;
- words found by the segmenter ("cơ_quan", "nhà_nước"): compounds weigh as one thing;
- character 3- and 4-grams of the folded content: typos and inflected spellings still meet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.preprocessing import normalize

from vanphong.consultation.engine.lexicon import content_tokens
from vanphong.consultation.engine.text import AccentRestorer, Segmenter, clean, fold_syllable, has_diacritics, syllables

# "1.", "a)", "II." or "-" opening a comment: numbering of a list, not content.
_LIST_MARK = re.compile(r"^\s*(?:[-+*•–]|\(?(?:\d{1,3}|[a-zđ]|[ivxlc]{1,6})[.)\]:])\s*", re.IGNORECASE)

BLOCK_WEIGHTS = {"toned": 1.0, "folded": 1.0, "words": 0.6, "chars": 1.2}


@dataclass(frozen=True)
class Analysed:
    """What the grouping needs of one text."""

    content: tuple[str, ...]  # canonical content tokens, diacritics kept
    folded: tuple[str, ...]  # the same without diacritics
    diacritics: bool  # typed with diacritics, or they could be put back
    body: str  # the text to segment into words


@dataclass(frozen=True)
class Prepared:
    body: str
    syllables: list[str]
    diacritics: bool


def strip_list_mark(text: str) -> str:
    return _LIST_MARK.sub("", text, count=1)


def prepare(text: str) -> Prepared:
    body = strip_list_mark(clean(text))
    return Prepared(body, syllables(body, cleaned=True), has_diacritics(body))


def analyse(text: str | Prepared, restorer: AccentRestorer | None = None) -> Analysed:
    """`restorer`: puts back diacritics a text was typed without, so that it meets accented ones."""
    prepared = prepare(text) if isinstance(text, str) else text
    syls, body, diacritics = prepared.syllables, prepared.body, prepared.diacritics
    if not diacritics and restorer is not None:
        restored = restorer.restore(syls)
        if restored != syls:
            syls, body, diacritics = restored, " ".join(restored), True
    content = content_tokens(syls)
    folded = tuple(t if t.startswith("~") else fold_syllable(t) for t in content)
    return Analysed(tuple(content), folded, diacritics, body)


def near_duplicate_key(analysed: Analysed) -> str:
    """Equal for texts that differ only in case, diacritics, punctuation, courtesy or numbering."""
    return " ".join(analysed.folded)


def _token_features(a: Analysed, segmenter: Segmenter | None) -> tuple[list[str], list[str], list[str]]:
    toned = list(a.content) if a.diacritics else []
    folded = list(a.folded)
    folded += [f"{x} {y}" for x, y in zip(a.folded, a.folded[1:])]
    words: list[str] = []
    if segmenter is not None and a.diacritics:
        words = [w for w in segmenter.segment(a.body) if "_" in w]
    return toned, folded, words


def vectorise(texts: list[str], analysed: list[Analysed], *, use_words: bool = True) -> sparse.csr_matrix:
    """One L2-normalised row per text."""
    segmenter = Segmenter(dict.fromkeys(a.body for a in analysed if a.diacritics)) if use_words else None
    toned, folded, words = [], [], []
    for a in analysed:
        t, f, w = _token_features(a, segmenter)
        toned.append(t)
        folded.append(f)
        words.append(w)
    chars = [" ".join(tok.lstrip("~") for tok in a.folded) for a in analysed]
    blocks = []
    for name, docs, kwargs in (
        ("toned", toned, {"analyzer": _identity}),
        ("folded", folded, {"analyzer": _identity}),
        ("words", words, {"analyzer": _identity}),
        ("chars", chars, None),
    ):
        if not any(docs):
            continue
        if kwargs is None:
            # character n-grams are many: hashed, no vocabulary to build (collisions at 2²⁰ are rare and harmless)
            counts = HashingVectorizer(analyzer="char_wb", ngram_range=(3, 4), n_features=1 << 20, alternate_sign=False,
                                       norm=None, dtype=np.float32).transform(docs)
            block = TfidfTransformer(sublinear_tf=True).fit_transform(counts)
        else:
            vectoriser = TfidfVectorizer(sublinear_tf=True, min_df=1, dtype=np.float32, **kwargs)
            try:
                block = vectoriser.fit_transform(docs)
            except ValueError:  # empty vocabulary
                continue
        blocks.append(BLOCK_WEIGHTS[name] * normalize(block))
    if not blocks:
        return sparse.csr_matrix((len(texts), 1), dtype=np.float32)
    return normalize(sparse.hstack(blocks, format="csr"))


def _identity(tokens):
    return tokens

