"""Drafts and answers as real files (Word through python-docx, PDF through fpdf2 with a Vietnamese font)."""

from __future__ import annotations

import io
import logging

DRAFT = """ỦY BAN NHÂN DÂN TỈNH BẮC NINH
DỰ THẢO
NGHỊ QUYẾT
Quy định về tiếp nhận và xử lý văn bản điện tử
Chương I
QUY ĐỊNH CHUNG
Điều 1. Phạm vi điều chỉnh
Nghị quyết này quy định việc tiếp nhận, xử lý và lưu trữ văn bản điện tử của các cơ quan trên địa bàn tỉnh.
Điều 2. Đối tượng áp dụng
1. Cán bộ, công chức, viên chức làm công tác văn thư.
2. Các cơ quan, tổ chức sau đây:
a) Cơ quan nhà nước cấp tỉnh, cấp huyện;
b) Đơn vị sự nghiệp công lập trực thuộc.
Chương II
QUY ĐỊNH CỤ THỂ
Mục 1. TIẾP NHẬN VĂN BẢN
Điều 3. Thời hạn tiếp nhận
1. Văn bản đến phải được tiếp nhận trong ngày làm việc.
2. Văn bản khẩn được tiếp nhận ngay khi đến.
Điều 4. Trách nhiệm của văn thư
Văn thư kiểm tra, đăng ký văn bản đến vào sổ và trình lãnh đạo.
Điều 5. Lưu trữ văn bản điện tử
1. Văn bản điện tử được lưu trữ theo quy định của pháp luật về lưu trữ.
2. Thời hạn lưu trữ không dưới 10 năm.
"""

REPORT = """BÁO CÁO
Tình hình thực hiện công tác văn thư năm 2026
I. KẾT QUẢ ĐẠT ĐƯỢC
1. Công tác tiếp nhận văn bản
Trong năm đã tiếp nhận 12.000 văn bản đến.
2. Công tác phát hành văn bản
Đã phát hành 4.500 văn bản đi.
II. PHƯƠNG HƯỚNG NĂM 2027
1. Hoàn thiện hệ thống
a) Nâng cấp phần mềm;
b) Đào tạo cán bộ.
"""

ANSWER = """CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Kính gửi: Văn phòng Tỉnh ủy
Sở Nội vụ có ý kiến góp ý như sau:
Về Điều 3:
Đề nghị quy định rõ thời hạn tiếp nhận văn bản đến ngoài giờ hành chính.
Đề nghị bổ sung điểm c khoản 2 Điều 2 về doanh nghiệp nhà nước.
Tại khoản 2 Điều 5, đề nghị nâng thời hạn lưu trữ lên 20 năm.
Đề nghị sửa Điều 9 cho phù hợp với Luật Lưu trữ.
Nơi nhận:
- Như trên;
"""


def docx_bytes(text: str) -> bytes:
    from docx import Document

    document = Document()
    for line in text.strip().split("\n"):
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf_bytes(text: str) -> bytes:
    from fpdf import FPDF

    logging.getLogger("fontTools").setLevel(logging.WARNING)
    pdf = FPDF(format="A4")
    pdf.add_font("noto", "", "/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf")
    pdf.add_page()
    pdf.set_font("noto", size=12)
    for line in text.strip().split("\n"):
        pdf.multi_cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def upload(data: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def auto_numbered_docx() -> bytes:
    """A draft numbered by Word itself: articles "Điều %1." by a style, clauses "%1." and points "%2)" by a list;
    the paragraphs' text has no numbers in it. The clause list restarts in each article (a new w:num), as Word does."""
    from docx import Document
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    document = Document()
    numbering = document.part.numbering_part.element
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {w} w:abstractNumId="90"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
        f'<w:lvlText w:val="Điều %1."/></w:lvl></w:abstractNum>'))
    numbering.insert(1, parse_xml(
        f'<w:abstractNum {w} w:abstractNumId="91"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
        f'<w:lvlText w:val="%1."/></w:lvl><w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/>'
        f'<w:lvlText w:val="%2)"/></w:lvl></w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {w} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    for k in range(3):
        numbering.append(parse_xml(f'<w:num {w} w:numId="{91 + k}"><w:abstractNumId w:val="91"/>'
                                   f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'))
    styles = document.styles.element
    styles.append(parse_xml(f'<w:style {w} w:type="paragraph" w:styleId="DieuStyle"><w:name w:val="Dieu"/>'
                            f'<w:pPr><w:numPr><w:numId w:val="90"/></w:numPr></w:pPr></w:style>'))

    def numbered(text, num_id=None, ilvl=0, style=None):
        paragraph = document.add_paragraph(text)
        ppr = paragraph._p.get_or_add_pPr()
        if style:
            ppr.insert(0, parse_xml(f'<w:pStyle {w} w:val="{style}"/>'))
        if num_id:
            ppr.append(parse_xml(f'<w:numPr {w}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'))

    document.add_paragraph("NGHỊ QUYẾT")
    document.add_paragraph("Chương I")
    document.add_paragraph("QUY ĐỊNH CHUNG")
    numbered("Phạm vi điều chỉnh", style="DieuStyle")
    document.add_paragraph("Nghị quyết này quy định việc tiếp nhận văn bản điện tử.")
    numbered("Đối tượng áp dụng", style="DieuStyle")
    numbered("Cán bộ, công chức.", num_id=91)
    numbered("Các cơ quan sau đây:", num_id=91)
    numbered("Cơ quan nhà nước;", num_id=91, ilvl=1)
    numbered("Đơn vị sự nghiệp.", num_id=91, ilvl=1)
    numbered("Thời hạn tiếp nhận", style="DieuStyle")
    numbered("Văn bản đến được tiếp nhận trong ngày.", num_id=92)
    numbered("Văn bản khẩn được tiếp nhận ngay.", num_id=92)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
