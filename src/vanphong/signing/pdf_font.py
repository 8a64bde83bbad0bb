"""A Vietnamese-capable font for signature appearances, prepared once per process.

pyHanko's own text boxes subset an OpenType font with fontTools on every signature (about 50 ms
with Noto), which alone would break the signing budget. Here the subset (Latin and Vietnamese
letters, no layout tables: Vietnamese needs no shaping once text is NFC) is made once; each
signature then adds the same pre-compressed font program and a few small dictionaries.
Text is written as glyph ids (Identity-H), with a ToUnicode map so that it can be copied and
searched.
"""

from __future__ import annotations

import io
import logging
import unicodedata
import zlib
from dataclasses import dataclass
from functools import lru_cache

from fontTools import subset
from fontTools.ttLib import TTFont
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name

from vanphong.signing.images import font_path

# Printable ASCII, Latin-1, Latin Extended-A (đ, ơ, ư…), Latin Extended Additional (ạ…ỹ), punctuation.
_UNICODES = ({*range(0x20, 0x7F), *range(0xA0, 0x180), 0x1A0, 0x1A1, 0x1AF, 0x1B0, *range(0x1EA0, 0x1F00),
              0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2026})


@dataclass(frozen=True)
class EmbeddableFont:
    name: str  # PostScript name with a subset tag
    program: bytes  # the subset TrueType, zlib-compressed
    program_length: int
    glyph_of: dict[int, int]  # code point -> glyph id
    advance_of: dict[int, int]  # glyph id -> advance in thousandths of the em
    bbox: tuple[int, int, int, int]
    ascent: int
    descent: int
    cap_height: int
    to_unicode: bytes  # zlib-compressed CMap

    def encode(self, text: str) -> bytes:
        """A PDF hex string of glyph ids; a letter the font lacks shows as .notdef."""
        gids = [self.glyph_of.get(ord(ch), 0) for ch in unicodedata.normalize("NFC", text)]
        return b"<" + "".join(f"{g:04X}" for g in gids).encode("ascii") + b">"

    def width(self, text: str, size: float) -> float:
        text = unicodedata.normalize("NFC", text)
        return sum(self.advance_of.get(self.glyph_of.get(ord(ch), 0), 500) for ch in text) * size / 1000

    def add_to(self, writer) -> generic.IndirectObject:
        """Write the font's objects into `writer`; returns the Type0 font to name in resources."""
        program = writer.add_object(generic.StreamObject(
            {pdf_name("/Length1"): generic.NumberObject(self.program_length), pdf_name("/Filter"): pdf_name("/FlateDecode")},
            encoded_data=self.program))
        descriptor = writer.add_object(generic.DictionaryObject({
            pdf_name("/Type"): pdf_name("/FontDescriptor"),
            pdf_name("/FontName"): pdf_name("/" + self.name),
            pdf_name("/Flags"): generic.NumberObject(4 | 2),  # symbolic (glyph ids), serif
            pdf_name("/FontBBox"): generic.ArrayObject(map(generic.NumberObject, self.bbox)),
            pdf_name("/ItalicAngle"): generic.NumberObject(0),
            pdf_name("/Ascent"): generic.NumberObject(self.ascent),
            pdf_name("/Descent"): generic.NumberObject(self.descent),
            pdf_name("/CapHeight"): generic.NumberObject(self.cap_height),
            pdf_name("/StemV"): generic.NumberObject(120),
            pdf_name("/FontFile2"): program,
        }))
        # Runs of consecutive glyph ids as "first [w w …]" (ISO 32000 9.7.4.3): the same widths as one array per glyph,
        # in a third of the objects pyHanko writes one by one on every signature.
        widths, run, previous = generic.ArrayObject(), None, None
        for gid, advance in sorted(self.advance_of.items()):
            if run is None or gid != previous + 1:
                run = generic.ArrayObject()
                widths.extend([generic.NumberObject(gid), run])
            run.append(generic.NumberObject(advance))
            previous = gid
        descendant = writer.add_object(generic.DictionaryObject({
            pdf_name("/Type"): pdf_name("/Font"),
            pdf_name("/Subtype"): pdf_name("/CIDFontType2"),
            pdf_name("/BaseFont"): pdf_name("/" + self.name),
            pdf_name("/CIDSystemInfo"): generic.DictionaryObject({
                pdf_name("/Registry"): generic.TextStringObject("Adobe"),
                pdf_name("/Ordering"): generic.TextStringObject("Identity"),
                pdf_name("/Supplement"): generic.NumberObject(0),
            }),
            pdf_name("/FontDescriptor"): descriptor,
            pdf_name("/CIDToGIDMap"): pdf_name("/Identity"),
            pdf_name("/W"): widths,
        }))
        to_unicode = writer.add_object(generic.StreamObject({pdf_name("/Filter"): pdf_name("/FlateDecode")},
                                                            encoded_data=self.to_unicode))
        return writer.add_object(generic.DictionaryObject({
            pdf_name("/Type"): pdf_name("/Font"),
            pdf_name("/Subtype"): pdf_name("/Type0"),
            pdf_name("/BaseFont"): pdf_name("/" + self.name),
            pdf_name("/Encoding"): pdf_name("/Identity-H"),
            pdf_name("/DescendantFonts"): generic.ArrayObject([descendant]),
            pdf_name("/ToUnicode"): to_unicode,
        }))


def _to_unicode_cmap(glyph_of: dict[int, int]) -> bytes:
    entries = sorted({gid: cp for cp, gid in glyph_of.items()}.items())
    lines = ["/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
             "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
             "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
             "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange"]
    for start in range(0, len(entries), 100):  # at most 100 entries a block
        block = entries[start:start + 100]
        lines.append(f"{len(block)} beginbfchar")
        lines.extend(f"<{gid:04X}> <{cp:04X}>" for gid, cp in block)
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines).encode("ascii")


@lru_cache(maxsize=4)
def load(style: str = "Bold") -> EmbeddableFont:
    logging.getLogger("fontTools.subset").setLevel(logging.WARNING)  # it lists every glyph at INFO
    font = TTFont(str(font_path(style)))
    options = subset.Options()
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "GDEF"]
    options.hinting = False
    options.notdef_outline = True
    options.name_IDs = [1, 2, 4, 6]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=_UNICODES)
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    program = buffer.getvalue()
    font = TTFont(io.BytesIO(program))
    scale = 1000 / font["head"].unitsPerEm
    order = font.getGlyphOrder()
    gid_of_name = {name: i for i, name in enumerate(order)}
    glyph_of = {cp: gid_of_name[name] for cp, name in font.getBestCmap().items()}
    advance_of = {gid_of_name[name]: round(font["hmtx"][name][0] * scale) for name in order}
    head, os2 = font["head"], font["OS/2"]
    postscript = font["name"].getDebugName(6) or f"NotoSerif-{style}"
    return EmbeddableFont(
        name=f"VPSIGN+{postscript}", program=zlib.compress(program, 9), program_length=len(program), glyph_of=glyph_of,
        advance_of=advance_of, bbox=tuple(round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)),
        ascent=round(os2.sTypoAscender * scale), descent=round(os2.sTypoDescender * scale),
        cap_height=round(getattr(os2, "sCapHeight", 700) * scale), to_unicode=zlib.compress(_to_unicode_cmap(glyph_of), 9),
    )
