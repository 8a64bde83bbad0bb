from hypothesis import given, settings
from hypothesis import strategies as st

from tests.consultation.drafts import DRAFT, REPORT
from vanphong.consultation.engine import parse_references
from vanphong.consultation.structure import find_structure, resolve


def _keys(structure):
    return [u.key for u in structure.units]


def test_a_law_draft_has_its_chapters_sections_articles_clauses_and_points():
    s = find_structure(DRAFT)
    assert s.kind == "legal"
    assert _keys(s) == [
        "chapter:I", "article:1", "article:2", "article:2/clause:1", "article:2/clause:2", "article:2/clause:2/point:a",
        "article:2/clause:2/point:b", "chapter:II", "chapter:II/section:1", "article:3", "article:3/clause:1",
        "article:3/clause:2", "article:4", "article:5", "article:5/clause:1", "article:5/clause:2"]
    chapter = s.find("chapter:I")
    assert chapter.title == "QUY ĐỊNH CHUNG"  # the line under "Chương I"
    article = s.find("article:4")
    assert article.title == "Trách nhiệm của văn thư" and article.text.startswith("Văn thư kiểm tra")
    assert s.units[article.parent].key == "chapter:II/section:1"
    assert s.find("article:2/clause:2/point:b").text == "" and s.find("article:2/clause:2/point:b").title.startswith("Đơn vị")
    assert "DỰ THẢO" in s.preamble


def test_a_report_has_numbered_sections():
    s = find_structure(REPORT)
    assert s.kind == "report"
    assert _keys(s) == ["part:I", "part:I/section:1", "part:I/section:2", "part:II", "part:II/section:1",
                        "part:II/section:1/point:a", "part:II/section:1/point:b"]


def test_a_pdf_line_cut_in_the_middle_continues_its_unit():
    s = find_structure("Điều 1. Phạm vi\nNghị quyết này quy định việc tiếp nhận\nvăn bản điện tử.\nĐiều 2. Hiệu lực\nCó hiệu lực.")
    assert s.find("article:1").text == "Nghị quyết này quy định việc tiếp nhận\nvăn bản điện tử."


def test_references_resolve_to_units_of_the_draft():
    s = find_structure(DRAFT)
    keys = {u.key for u in s.units}
    def where(text):
        return resolve(parse_references(text)[0], keys)
    assert where("khoản 2 Điều 5") == ("article:5/clause:2", True)
    assert where("điểm b khoản 2 Điều 2") == ("article:2/clause:2/point:b", True)
    assert where("tại Chương II") == ("chapter:II", True)
    assert where("Mục 1") == ("chapter:II/section:1", True)  # found by its end: sections sit in chapters
    assert where("khoản 7 Điều 5") == ("article:5", False)  # no clause 7: the article, not exact
    assert where("Điều 99") == (None, False)
    report = find_structure(REPORT)
    assert resolve(parse_references("đoạn 3 mục 1 phần II")[0], {u.key for u in report.units}) == ("part:II/section:1", True)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=40), max_size=30))
def test_any_text_gives_a_well_formed_tree(lines):
    s = find_structure(lines)
    keys = [u.key for u in s.units]
    assert len(keys) == len(set(keys))
    for index, unit in enumerate(s.units):
        assert unit.parent is None or unit.parent < index
