"""The pictures in a visible signature, drawn with Pillow from a name: no stock images.

- signature_image: the official's handwriting stand-in, the name in blue italic with a flourish
  (STANDARDS.md: "a blue transparent PNG");
- seal_image: the agency's round seal, red, its name around the rim and a star in the centre
  (STANDARDS.md: "a red transparent PNG at real size").

Both are RGBA with a transparent background, so the seal lets the signature show through it.
They are cached per name: a process draws each once.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from PIL import Image, ImageDraw, ImageFont

BLUE = (18, 52, 160, 255)
RED = (206, 17, 38, 255)
# A real seal is about 35 mm across; drawn at 300 dpi.
SEAL_DIAMETER_MM = 35
SEAL_PIXELS = round(SEAL_DIAMETER_MM / 25.4 * 300)


def font_path(style: str) -> Path:
    """Noto Serif from Debian's fonts-noto-core: it has every Vietnamese letter."""
    folder = Path(getattr(settings, "VANPHONG_FONT_DIR", "/usr/share/fonts/truetype/noto"))
    return folder / f"NotoSerif-{style}.ttf"


def _font(style: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path(style)), size)


@lru_cache(maxsize=256)
def signature_image(full_name: str) -> Image.Image:
    """The given name and family name, slanted, underlined by a stroke that swings back."""
    words = full_name.split()
    text = f"{words[0]} {words[-1]}" if len(words) > 2 else full_name
    font = _font("BoldItalic", 110)
    left, top, right, bottom = font.getbbox(text)
    width, height = right - left + 160, bottom - top + 150
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.text((80 - left, 30 - top), text, font=font, fill=BLUE)
    # The flourish: a sine stroke under the name, thinning towards its end.
    base = 30 + bottom - top + 40
    points = [(60 + x, base + 18 * math.sin(x / 55)) for x in range(0, width - 100, 4)]
    for i in range(len(points) - 1):
        thickness = max(2, 9 - 7 * i // len(points))
        draw.line([points[i], points[i + 1]], fill=BLUE, width=thickness)
    return image


def _text_on_arc(image: Image.Image, text: str, font: ImageFont.FreeTypeFont, radius: float, centre: float) -> None:
    """Letters upright towards the rim, read clockwise around the top, as on a rubber stamp."""
    widths = [font.getlength(ch) for ch in text]
    total_angle = sum(widths) / radius  # radians the text spans
    total_angle = min(total_angle * 1.15, math.radians(330))
    step = total_angle / max(1, sum(widths))
    angle = -math.pi / 2 - total_angle / 2  # centred on the top of the circle
    for ch, w in zip(text, widths, strict=True):
        middle = angle + w * step / 2
        size = int(font.size * 1.6)
        glyph = Image.new("RGBA", (size, size), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((size / 2, size / 2), ch, font=font, fill=RED, anchor="mm")
        glyph = glyph.rotate(-math.degrees(middle) - 90, resample=Image.BICUBIC)
        x = centre + radius * math.cos(middle) - size / 2
        y = centre + radius * math.sin(middle) - size / 2
        image.alpha_composite(glyph, (round(x), round(y)))
        angle += w * step


def _star(draw: ImageDraw.ImageDraw, centre: float, radius: float) -> None:
    points = []
    for i in range(10):
        r = radius if i % 2 == 0 else radius * 0.382
        a = -math.pi / 2 + i * math.pi / 5
        points.append((centre + r * math.cos(a), centre + r * math.sin(a)))
    draw.polygon(points, fill=RED)


@lru_cache(maxsize=64)
def seal_image(agency_name: str, short_name: str = "") -> Image.Image:
    """Two rings, the agency's name around them, a star and the short name in the centre."""
    size = SEAL_PIXELS
    centre = size / 2
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    outer = size / 2 - 6
    draw.ellipse([centre - outer, centre - outer, centre + outer, centre + outer], outline=RED, width=12)
    inner = outer * 0.66
    draw.ellipse([centre - inner, centre - inner, centre + inner, centre + inner], outline=RED, width=5)
    rim_text = agency_name.upper()
    font_size = 30 if len(rim_text) <= 40 else max(20, int(30 * 40 / len(rim_text)))
    _text_on_arc(image, rim_text, _font("Bold", font_size), (outer + inner) / 2, centre)
    _star(draw, centre, inner * 0.42)
    if short_name:
        text = short_name.upper()[:24]
        small = _font("Bold", 24)
        while small.size > 12 and small.getlength(text) > inner * 1.5:
            small = _font("Bold", small.size - 2)
        draw.text((centre, centre + inner * 0.58), text, font=small, fill=RED, anchor="mm")
    return image
