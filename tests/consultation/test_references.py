"""References to the draft's structure in free text."""

import pytest

from vanphong.consultation.engine.references import from_roman, parse_references


def labels(text):
    return [r.label() for r in parse_references(text)]


@pytest.mark.parametrize(("text", "expected"), [
    ("Đề nghị sửa Điều 5.", ["Điều 5"]),
    ("Tại khoản 2 Điều 3, đề nghị bỏ cụm từ này.", ["khoản 2 Điều 3"]),
    ("điểm a khoản 1 Điều 4 chưa rõ", ["điểm a khoản 1 Điều 4"]),
    ("Các quy định tại Chương II còn chồng chéo.", ["Chương II"]),
    ("đoạn 3 mục 1 phần II", ["đoạn 3 Mục 1 Phần II"]),
    ("diem b khoan 3 dieu 12 can lam ro", ["điểm b khoản 3 Điều 12"]),  # typed without diacritics
    ("Đ.5 và k2 Đ.7", ["Điều 5", "khoản 2 Điều 7"]),
    ("khoản 2 và khoản 3 Điều 5", ["khoản 2 Điều 5", "khoản 3 Điều 5"]),
    ("khoản 1, 2 và 3 Điều 7", ["khoản 1 Điều 7", "khoản 2 Điều 7", "khoản 3 Điều 7"]),
    ("khoản 2 Điều 5 và khoản 3 Điều 7", ["khoản 2 Điều 5", "khoản 3 Điều 7"]),
    ("khoản 2 Điều 5 và khoản 3", ["khoản 2 Điều 5", "khoản 3 Điều 5"]),
    ("Điều 4, khoản 1, điểm a", ["điểm a khoản 1 Điều 4"]),  # largest first
    ("Chương IV Mục 2 Điều 15", ["Điều 15 Mục 2 Chương IV"]),
    ("Phần thứ hai", ["Phần II"]),
    ("điểm đ khoản 2 Điều 6a", ["điểm đ khoản 2 Điều 6a"]),
    ("CHƯƠNG 3", ["Chương III"]),
])
def test_references(text, expected):
    assert labels(text) == expected


@pytest.mark.parametrize("text", [
    "Điều kiện cấp phép cần nới lỏng.", "Phần lớn các mục tiêu là hợp lý.", "Chương trình này nên kéo dài.",
    "Mục đích của khoản tiền hỗ trợ chưa rõ.", "Điểm mới của dự thảo là tốt.",
])
def test_words_that_only_look_like_references(text):
    assert parse_references(text) == []


def test_reference_fields_and_spans():
    text = "Theo điểm c khoản 1 Điều 12 thì"
    (reference,) = parse_references(text)
    assert (reference.article, reference.clause, reference.point) == ("12", 1, "c")
    assert text[reference.start:reference.end] == "điểm c khoản 1 Điều 12"
    assert from_roman("IV") == 4 and from_roman("IIII") is None


def test_an_article_is_not_placed_in_the_chapter_named_before_it():
    from vanphong.consultation.engine.references import complete

    chapter = parse_references("Chương III")[0]
    assert complete(parse_references("Điều 12")[0], chapter).label() == "Điều 12"
    assert complete(parse_references("Mục 2")[0], chapter).label() == "Mục 2 Chương III"
    assert complete(parse_references("khoản 1")[0], parse_references("Điều 12")[0]).label() == "khoản 1 Điều 12"
