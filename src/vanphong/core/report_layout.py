"""The layout Decree 30/2020/NĐ-CP gives the reports the system writes (Word and Excel): the page, and the header's
agency lines (its parent above it), national motto (the Party's name for Party agencies) and place-and-date line."""

from django.utils.translation import pgettext

from vanphong.org.models import NotationScheme


def agency_lines(agency) -> list[str]:
    return ([agency.parent.name.upper()] if agency.parent_id else []) + [agency.name.upper()]


def national_lines(agency) -> list[str]:
    if agency.notation_scheme == NotationScheme.PARTY:
        return [pgettext("report header", "COMMUNIST PARTY OF VIET NAM")]
    return [pgettext("report header", "SOCIALIST REPUBLIC OF VIET NAM"), pgettext("report header", "Independence - Freedom - Happiness")]


def date_line(day) -> str:
    return pgettext("report header", "……, day %(day)02d month %(month)02d year %(year)s") % {"day": day.day, "month": day.month,
                                                                                              "year": day.year}


def landscape_document():
    """A Word document on landscape A4 with Decree 30's margins (left 30 mm, right 15, top and bottom 20) and its
    font, Times New Roman 13, for reports whose tables need the width."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.left_margin, section.right_margin, section.top_margin, section.bottom_margin = Mm(30), Mm(15), Mm(20), Mm(20)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = "Times New Roman", Pt(13)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "Times New Roman")
    normal.paragraph_format.space_after = Pt(0)
    return doc
