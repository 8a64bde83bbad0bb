"""The number, notation and date that the clerk adds to an electronically signed document.

Decree 30: the official signs the draft with its number and date left blank; the clerk numbers
it and applies the seal. Writing text onto a signed page would break the official's signature,
so when the official signs, two empty read-only text fields are put on page 1, covered by that
signature: "Number" after "Số" and "IssuedDate" over the "ngày … tháng … năm …" of the heading
(or, when the page has neither, in the top margin). With the seal the clerk fills them in the
same revision: filling a form field is a change a signature allows (pyHanko's difference
analysis rates it FORM_FILLING), so the official's signature stays valid and pdfsig lists only
the two signatures.
"""

from __future__ import annotations

import io

import pypdfium2
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name

from vanphong.signing import pdf_font

NUMBER, ISSUED_DATE = "Number", "IssuedDate"
MM = 72 / 25.4
FONT_SIZE = 13  # Decree 30: number and date in 13-14 pt
_READ_ONLY = 1


BASELINE = 4  # points from a field's bottom edge to the baseline of its text


def _found(text, word: str, top_part: float, height: float):
    """(index, char box) of the first `word` in the upper part of the page, or None."""
    search = text.search(word, match_case=True)
    try:
        while (hit := search.get_next()) is not None:
            index, _count = hit
            box = text.get_charbox(index)
            if box[1] > height * (1 - top_part):
                return index, box
        return None
    finally:
        search.close()


def _line_right(text, box) -> float:
    """The right edge of the run of text that holds `box` (not of the other column of the heading:
    "Số:" and the date often share a line)."""
    right = box[2]
    for index in range(text.count_rects()):
        left, bottom, line_right, top = text.get_rect(index)
        if bottom <= (box[1] + box[3]) / 2 <= top and left <= box[0] <= line_right:
            right = max(right, line_right)
    return right


def locate(pdf: bytes) -> dict[str, tuple[float, float, float, float]]:
    """Where the number and the date go on page 1: after "Số:" and over "ngày … năm …" in the
    upper part of the page when it has them (Decree 30's heading), else in the top margin."""
    try:
        document = pypdfium2.PdfDocument(io.BytesIO(pdf))
    except pypdfium2.PdfiumError:
        return {}
    try:
        page = document[0]
        width, height = page.get_size()
        text = page.get_textpage()
        places = {}
        label = _found(text, "Số", 0.4, height)
        if label is not None:
            index, box = label
            end = text.get_charbox(index + 1)
            if text.get_text_range(index + 2, 1) == ":":
                end = text.get_charbox(index + 2)
            baseline = box[1]  # "S" sits on the baseline
            left = end[2] + 3
            places[NUMBER] = (left, baseline - BASELINE, max(_line_right(text, box), left + 40 * MM), baseline + FONT_SIZE)
        day = _found(text, "ngày", 0.4, height)
        if day is not None:
            index, box = day
            baseline = box[1]  # "n" sits on the baseline
            left = box[0] - 1
            places[ISSUED_DATE] = (left, baseline - BASELINE, max(_line_right(text, box), left + 62 * MM), baseline + FONT_SIZE)
    except (pypdfium2.PdfiumError, IndexError):
        return {}
    finally:
        document.close()
    margin_top = height - 8 * MM
    places.setdefault(NUMBER, (20 * MM, margin_top - 8 * MM, 95 * MM, margin_top))
    places.setdefault(ISSUED_DATE, (width - 95 * MM, margin_top - 8 * MM, width - 15 * MM, margin_top))
    return places


def _fields(writer) -> dict[str, generic.DictionaryObject]:
    form = writer.root.get("/AcroForm")
    if form is None:
        return {}
    found = {}
    for ref in form.get_object().get("/Fields", generic.ArrayObject()):
        field = ref.get_object()
        if field.get("/FT") == "/Tx" and str(field.get("/T", "")) in (NUMBER, ISSUED_DATE):
            found[str(field["/T"])] = field
    return found


def _empty_appearance(writer, box) -> generic.IndirectObject:
    return writer.add_object(generic.StreamObject({
        pdf_name("/Type"): pdf_name("/XObject"), pdf_name("/Subtype"): pdf_name("/Form"),
        pdf_name("/BBox"): generic.ArrayObject([generic.FloatObject(0), generic.FloatObject(0),
                                                generic.FloatObject(box[2] - box[0]), generic.FloatObject(box[3] - box[1])]),
    }, stream_data=b""))


def reserve(writer, pdf: bytes) -> bool:
    """Put the two empty fields on page 1, unless they are there already. Call before signing,
    in the signature's revision. False when the file has no room for them (no page)."""
    if _fields(writer):
        return True
    places = locate(pdf)
    if not places:
        return False
    page_ref = writer.root["/Pages"]["/Kids"][0]
    page = page_ref.get_object()
    while "/Kids" in page:  # a page tree: its first leaf
        page_ref = page["/Kids"][0]
        page = page_ref.get_object()
    refs = []
    for name in (NUMBER, ISSUED_DATE):
        box = places[name]
        # No /P back to the page: pyHanko's difference analysis only explains a filled field
        # reached from the form and the page's /Annots.
        field = generic.DictionaryObject({
            pdf_name("/Type"): pdf_name("/Annot"), pdf_name("/Subtype"): pdf_name("/Widget"), pdf_name("/FT"): pdf_name("/Tx"),
            pdf_name("/T"): generic.TextStringObject(name), pdf_name("/Ff"): generic.NumberObject(_READ_ONLY),
            pdf_name("/F"): generic.NumberObject(4),  # printed
            pdf_name("/Rect"): generic.ArrayObject([generic.FloatObject(round(v, 2)) for v in box]),
            pdf_name("/DA"): generic.TextStringObject(f"/Helv {FONT_SIZE} Tf 0 g"),
            pdf_name("/V"): generic.TextStringObject(""),
        })
        field[pdf_name("/AP")] = generic.DictionaryObject({pdf_name("/N"): _empty_appearance(writer, box)})
        refs.append(writer.add_object(field))
    annots = page.get("/Annots")
    if annots is None:
        page[pdf_name("/Annots")] = generic.ArrayObject(refs)
        writer.update_container(page)
    else:
        annots.get_object().extend(refs)
        writer.update_container(annots if isinstance(annots, generic.IndirectObject) else page)
    form = writer.root.get("/AcroForm")
    if form is None:
        writer.root[pdf_name("/AcroForm")] = generic.DictionaryObject({pdf_name("/Fields"): generic.ArrayObject(refs)})
        writer.update_root()
    else:
        form_dict = form.get_object()
        fields = form_dict.get("/Fields")
        if fields is None:
            form_dict[pdf_name("/Fields")] = generic.ArrayObject(refs)
        else:
            fields.get_object().extend(refs)
            if isinstance(fields, generic.IndirectObject):
                writer.update_container(fields)
        if isinstance(form, generic.IndirectObject):
            writer.update_container(form)
        else:
            writer.update_root()
    return True


def _appearance(writer, field, text: str) -> generic.IndirectObject:
    font = pdf_font.load("Regular")
    x1, y1, x2, y2 = (float(v) for v in field["/Rect"])
    width, height = x2 - x1, y2 - y1
    size = FONT_SIZE
    while size > 7 and font.width(text, size) > width - 4:
        size -= 0.5
    baseline = BASELINE if height < 2.5 * FONT_SIZE else max((height - size * 0.72) / 2, 1)
    content = b"/Tx BMC q 1 g 0 0 %.2f %.2f re f Q BT 0 g /F0 %.2f Tf 2 %.2f Td %s Tj ET EMC" % (
        width, height, size, baseline, font.encode(text))
    resources = generic.DictionaryObject({pdf_name("/Font"): generic.DictionaryObject({pdf_name("/F0"): font.add_to(writer)})})
    return writer.add_object(generic.StreamObject({
        pdf_name("/Type"): pdf_name("/XObject"), pdf_name("/Subtype"): pdf_name("/Form"), pdf_name("/Resources"): resources,
        pdf_name("/BBox"): generic.ArrayObject([generic.FloatObject(0), generic.FloatObject(0), generic.FloatObject(width),
                                                generic.FloatObject(height)]),
    }, stream_data=content))


def fill(writer, values: dict[str, str]) -> bool:
    """Write the number and date into the reserved fields (in the seal's revision). False when
    the file has no such fields (signed elsewhere, or a scan signed on paper)."""
    fields = _fields(writer)
    if not fields:
        return False
    for name, text in values.items():
        field = fields.get(name)
        if field is None:
            continue
        field[pdf_name("/V")] = generic.TextStringObject(text)
        field[pdf_name("/AP")] = generic.DictionaryObject({pdf_name("/N"): _appearance(writer, field, text)})
        writer.update_container(field)
    return True


def filled_values(reader) -> dict[str, str]:
    """What the fields hold, for the report and the tests."""
    form = reader.root.get("/AcroForm")
    if form is None:
        return {}
    values = {}
    for ref in form.get_object().get("/Fields", generic.ArrayObject()):
        field = ref.get_object()
        if field.get("/FT") == "/Tx" and str(field.get("/T", "")) in (NUMBER, ISSUED_DATE):
            values[str(field["/T"])] = str(field.get("/V", ""))
    return values
