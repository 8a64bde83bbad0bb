"""The visible signature, laid out as STANDARDS.md asks.

Official: the position on top, the blue signature image below it, then the full name, then the
signing time in ISO 8601. Seal: the red seal image, at real size, over the left third of the
official's signature. Both are pyHanko stamp styles, so pyHanko puts them in the signature
widget's appearance stream; everything costly (font subset, compressed image data) is prepared
once per process and only copied into each document.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from functools import lru_cache

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.content import ResourceType
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.stamp.base import BaseStamp, BaseStampStyle

from vanphong.signing import images, pdf_font

MM = 72 / 25.4
# The official's block (points): wide enough for a long position, tall enough for the signature.
OFFICIAL_WIDTH, OFFICIAL_HEIGHT = 220, 125
SEAL_SIZE = images.SEAL_DIAMETER_MM * MM
# Image placed in the official's block: (left, bottom, width, height) as fractions of the block.
_SIGNATURE_BAND = (0.05, 0.27, 0.90, 0.50)


@dataclass(frozen=True)
class _EncodedImage:
    width: int
    height: int
    colour: bytes  # zlib-compressed RGB
    alpha: bytes  # zlib-compressed soft mask

    def add_to(self, writer) -> generic.IndirectObject:
        def stream(data: bytes, colour_space: str):
            return generic.StreamObject({
                pdf_name("/Type"): pdf_name("/XObject"), pdf_name("/Subtype"): pdf_name("/Image"),
                pdf_name("/Width"): generic.NumberObject(self.width), pdf_name("/Height"): generic.NumberObject(self.height),
                pdf_name("/ColorSpace"): pdf_name(colour_space), pdf_name("/BitsPerComponent"): generic.NumberObject(8),
                pdf_name("/Filter"): pdf_name("/FlateDecode"),
            }, encoded_data=data)

        image = stream(self.colour, "/DeviceRGB")
        image[pdf_name("/SMask")] = writer.add_object(stream(self.alpha, "/DeviceGray"))
        return writer.add_object(image)


def _encode(image) -> _EncodedImage:
    rgba = image.convert("RGBA")
    return _EncodedImage(rgba.width, rgba.height, zlib.compress(rgba.convert("RGB").tobytes(), 6),
                         zlib.compress(rgba.getchannel("A").tobytes(), 6))


@lru_cache(maxsize=256)
def _signature(full_name: str) -> _EncodedImage:
    return _encode(images.signature_image(full_name))


@lru_cache(maxsize=64)
def _seal(agency_name: str, short_name: str) -> _EncodedImage:
    return _encode(images.seal_image(agency_name, short_name))


class _Stamp(BaseStamp):
    """Draws a list of operations into the widget's box; resources are added as they are used."""

    def __init__(self, writer, style, box, draw):
        super().__init__(writer, style, box)
        self._draw = draw

    def image(self, encoded: _EncodedImage, x: float, y: float, max_width: float, max_height: float) -> bytes:
        """The image fitted into the box (x, y, max_width, max_height), centred, aspect kept."""
        scale = min(max_width / encoded.width, max_height / encoded.height)
        width, height = encoded.width * scale, encoded.height * scale
        name = f"/Im{len(self.resources.xobject)}"
        self.set_resource(ResourceType.XOBJECT, pdf_name(name), encoded.add_to(self.writer))
        left, bottom = x + (max_width - width) / 2, y + (max_height - height) / 2
        return b"q %.2f 0 0 %.2f %.2f %.2f cm %s Do Q" % (width, height, left, bottom, name.encode("ascii"))

    def centred_text(self, text: str, baseline: float, size: float, rgb=(0, 0, 0)) -> bytes:
        font = pdf_font.load()
        if pdf_name("/F0") not in self.resources.font:
            self.set_resource(ResourceType.FONT, pdf_name("/F0"), font.add_to(self.writer))
        while size > 5 and font.width(text, size) > self.box.width - 4:  # a long position shrinks to fit
            size -= 0.5
        left = (self.box.width - font.width(text, size)) / 2
        return b"BT %.3f %.3f %.3f rg /F0 %.2f Tf %.2f %.2f Td %s Tj ET" % (*rgb, size, left, baseline, font.encode(text))

    def _render_inner_content(self):
        return [self._draw(self)]


@dataclass(frozen=True)
class OfficialStampStyle(BaseStampStyle):
    position: str = ""
    full_name: str = ""
    border_width: int = 0

    def create_stamp(self, writer, box, text_params):
        def draw(stamp: _Stamp) -> bytes:
            w, h = stamp.box.width, stamp.box.height
            left, bottom, width, height = _SIGNATURE_BAND
            parts = [
                stamp.centred_text(self.position.upper(), h - 12, 9.5),
                stamp.image(_signature(self.full_name), w * left, h * bottom, w * width, h * height),
                stamp.centred_text(self.full_name, h * 0.13, 10.5),
                stamp.centred_text(text_params.get("signed_at", ""), 2, 6.5, rgb=(0.25, 0.25, 0.25)),
            ]
            return b"\n".join(parts)

        return _Stamp(writer, self, box, draw)


@dataclass(frozen=True)
class SealStampStyle(BaseStampStyle):
    agency_name: str = ""
    short_name: str = ""
    border_width: int = 0

    def create_stamp(self, writer, box, text_params):
        def draw(stamp: _Stamp) -> bytes:
            return stamp.image(_seal(self.agency_name, self.short_name), 0, 0, stamp.box.width, stamp.box.height)

        return _Stamp(writer, self, box, draw)


def official_box(page_width: float) -> tuple[float, float, float, float]:
    """Where the official signs when no one says: the right half of the page, above the bottom
    margin (Decree 30 puts the signature block on the right, below the text)."""
    right = page_width - 20 * MM
    return right - OFFICIAL_WIDTH, 25 * MM, right, 25 * MM + OFFICIAL_HEIGHT


def seal_box(official: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """The seal over the left third of the official's signature image, centred on it vertically."""
    x1, y1, x2, y2 = official
    width, height = x2 - x1, y2 - y1
    band_left, band_bottom, _band_width, band_height = _SIGNATURE_BAND
    centre_y = y1 + height * (band_bottom + band_height / 2)
    right = x1 + width * band_left + (width * 0.9) / 3  # the seal's right edge: a third into the signature
    return right - SEAL_SIZE, centre_y - SEAL_SIZE / 2, right, centre_y + SEAL_SIZE / 2
