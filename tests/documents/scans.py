"""Scanned paper documents for the OCR tests: a Decree 30 layout rendered at 300 dpi, with the grey
background and speckle of a flatbed scan."""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/noto")
DPI = 300
WIDTH, HEIGHT = 2480, 3508  # A4 at 300 dpi


def _font(bold: bool, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_DIR / ("NotoSerif-Bold.ttf" if bold else "NotoSerif-Regular.ttf")), size)


def _centred(draw, text, x_centre, y, font):
    width = draw.textlength(text, font=font)
    draw.text((x_centre - width / 2, y), text, font=font, fill=(25, 25, 25))


def scanned_decision(path: Path, *, agency="ỦY BAN NHÂN DÂN", agency_line2="TỈNH BẮC NINH", number="123/QĐ-UBND",
                     place_date="Bắc Ninh, ngày 15 tháng 3 năm 2026", doc_type="QUYẾT ĐỊNH",
                     subject="Về việc điều động cán bộ công chức", seed=7) -> Path:
    """A first page as a clerk scans it: header block, number, date, type, subject, body."""
    rng = random.Random(seed)
    image = Image.new("RGB", (WIDTH, HEIGHT), (246, 245, 240))
    draw = ImageDraw.Draw(image)
    regular, bold, title = _font(False, 50), _font(True, 50), _font(True, 62)
    left, right = 620, 1720
    _centred(draw, agency, left, 260, regular)
    _centred(draw, agency_line2, left, 330, bold)
    _centred(draw, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", right, 260, bold)
    _centred(draw, "Độc lập - Tự do - Hạnh phúc", right, 330, bold)
    _centred(draw, f"Số: {number}", left, 470, regular)
    _centred(draw, place_date, right, 470, _font(False, 48))
    _centred(draw, doc_type, WIDTH / 2, 680, title)
    _centred(draw, subject, WIDTH / 2, 780, bold)
    body = [
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;",
        "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ",
        "về công tác văn thư;",
        "Theo đề nghị của Giám đốc Sở Nội vụ.",
    ]
    for i, line in enumerate(body):
        draw.text((300, 960 + i * 80), line, font=regular, fill=(30, 30, 30))
    _centred(draw, "QUYẾT ĐỊNH:", WIDTH / 2, 1330, bold)
    draw.text((300, 1440), "Điều 1. Điều động cán bộ đến nhận công tác tại Văn phòng.", font=regular, fill=(30, 30, 30))
    # Scanner speckle and a slight blur.
    for _ in range(4000):
        x, y = rng.randrange(WIDTH), rng.randrange(HEIGHT)
        shade = rng.randrange(150, 230)
        draw.point((x, y), fill=(shade, shade, shade))
    image = image.filter(ImageFilter.GaussianBlur(0.6)).convert("L")
    image.save(path, dpi=(DPI, DPI), **({"quality": 88} if path.suffix.lower() in (".jpg", ".jpeg") else {}))
    return path
