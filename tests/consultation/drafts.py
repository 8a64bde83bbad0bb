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
