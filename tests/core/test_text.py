"""Vietnamese text helpers: folding for search, collation for lists."""

from hypothesis import given
from hypothesis import strategies as st

from vanphong.core.text import collation_key, fold, name_sort_key, normalize


def test_fold_removes_diacritics_and_d_stroke():
    assert fold("Quyết định về công tác cán bộ") == "quyet dinh ve cong tac can bo"
    assert fold("ĐẢNG ỦY Đồng Nai") == "dang uy dong nai"


def test_normalize_composes_and_collapses_spaces():
    assert normalize("Tuye\u0302\u0301n   giáo ") == "Tuyến giáo"


def test_vietnamese_letter_order():
    words = ["đào", "dung", "an", "ăn", "ân", "bình", "ô", "ơn", "o", "ư", "u", "y"]
    assert sorted(words, key=collation_key) == ["an", "ăn", "ân", "bình", "dung", "đào", "o", "ô", "ơn", "u", "ư", "y"]


def test_tones_order_after_the_letter():
    assert sorted(["má", "mà", "ma", "mạ", "mả", "mã"], key=collation_key) == ["ma", "mà", "mả", "mã", "má", "mạ"]


def test_people_sort_by_given_name():
    names = ["Đỗ Văn Hùng", "Vũ Thị Lan Anh", "Trần Quốc Khánh", "Nguyễn Thị Hồng Nhung", "Lê Minh Tuấn", "Hoàng Đức Thắng"]
    assert sorted(names, key=name_sort_key) == [
        "Vũ Thị Lan Anh", "Đỗ Văn Hùng", "Trần Quốc Khánh", "Nguyễn Thị Hồng Nhung", "Hoàng Đức Thắng", "Lê Minh Tuấn"]


VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ "


@given(st.text(alphabet=VIETNAMESE), st.text(alphabet=VIETNAMESE))
def test_distinct_names_have_distinct_keys(a, b):
    if normalize(a) != normalize(b):
        assert collation_key(a) != collation_key(b)


@given(st.text(alphabet=VIETNAMESE, min_size=1))
def test_collation_is_consistent_with_nfd_input(text):
    import unicodedata

    assert collation_key(unicodedata.normalize("NFD", text)) == collation_key(text)
