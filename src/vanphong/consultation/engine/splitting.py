"""Cut a free-text answer (the paragraphs of a Word file, or typed text) into comments, each mapped to
the parts of the draft it names.

- Every paragraph that says something is one comment, with the references it names.
- A paragraph that names nothing concerns what the paragraph before it concerned.
- A heading ("Về Điều 5:", "2. Góp ý khoản 3 Điều 7", "Điều 12. Trách nhiệm của Ủy ban nhân dân cấp xã")
  sets the references for the paragraphs under it and is not a comment itself.
- Letter boilerplate (national motto, "Kính gửi", "Nơi nhận", "Trân trọng", signatures) is no comment.
A paragraph before any reference keeps an empty tuple: it concerns the draft as a whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from vanphong.consultation.engine.lexicon import content_tokens
from vanphong.consultation.engine.references import Reference, complete, fold_aligned, parse_references
from vanphong.consultation.engine.text import clean, fold, syllables


@dataclass(frozen=True)
class Piece:
    text: str
    references: tuple[Reference, ...]
    inherited: bool  # the references came from a paragraph before this one


_BOILERPLATE = re.compile(
    r"^(?:cong hoa xa hoi chu nghia viet nam|doc lap\W+tu do\W+hanh phuc|kinh gui\b|noi nhan\b|tran trong\b|"
    r"so\s*:|v/v\b|ve viec\b|\W*$|(?:giam doc|chu tich|truong phong|thu truong|nguoi gop y|ky ten)\b)")
_HEADING_START = re.compile(r"^(?:[\divxlc]{1,4}[.)]\s*|[a-z][)]\s*|[-+•]\s*)?(?:ve|doi voi|gop y|y kien|tai)?\s*"
                            r"(?:diem|khoan|doan|dieu|muc|chuong|phan|d\.)", re.IGNORECASE)
_PARAGRAPH_BREAK = re.compile(r"\n\s*")
# The letter's end: what follows "Nơi nhận:" (recipients, "Lưu: VT") or a closing "Trân trọng./." is no comment.
_CLOSING = re.compile(r"^(?:noi nhan\b|tran trong\W*$)")


def split_answer(answer: str | Iterable[str]) -> list[Piece]:
    """`answer`: the text (one paragraph a line) or its paragraphs."""
    paragraphs = _PARAGRAPH_BREAK.split(answer) if isinstance(answer, str) else list(answer)
    pieces: list[Piece] = []
    current: tuple[Reference, ...] = ()
    for paragraph in paragraphs:
        text = clean(paragraph)
        if text and _CLOSING.match(fold(text)):
            break
        if not text or _BOILERPLATE.match(fold(text)):
            continue
        if not pieces and _is_letterhead(text):
            continue
        named = tuple(parse_references(text))
        if named and current:  # "Đề nghị bỏ điểm c khoản 1" under the heading "Điều 12"
            named = tuple(complete(r, current[0]) for r in named)
        if named and _is_heading(text, named):
            current = named
            continue
        if named:
            current = named
            pieces.append(Piece(text, named, inherited=False))
        elif content_tokens(syllables(text)):
            pieces.append(Piece(text, current, inherited=bool(current)))
    return pieces


def _is_letterhead(text: str) -> bool:
    """The sender's name above the letter ("UBND HUYỆN TIÊN DU", "PHÒNG TƯ PHÁP"): short, in capitals, naming nothing."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters) and len(text.split()) <= 12 and not parse_references(text)


def _is_heading(text: str, references: tuple[Reference, ...]) -> bool:
    """Short, opens with the reference, and asks nothing: a title line ("Điều 5. Thời hạn giải quyết")
    or an announcement ("Về khoản 2 Điều 3:")."""
    folded = fold_aligned(text)
    if not _HEADING_START.match(folded):
        return False
    if folded.rstrip().endswith(":"):
        return True
    # What follows the opening reference ("Chương III: đề nghị gộp Mục 1 và Mục 2" asks something, though it ends
    # with references of its own).
    opening_end = max(r.end for r in references if r.start == references[0].start)
    rest = folded[opening_end:].strip(" .:-")
    # a title after "Điều N." is a few words with no request word in it
    asks = re.search(r"\b(de nghi|kien nghi|de xuat|nen|can|bo sung|sua|bo|lam ro|khong|chua|them|giam|tang)\b", rest)
    return not asks and len(rest.split()) <= 12 and not rest.endswith((".", "?", "!")) if rest else True
