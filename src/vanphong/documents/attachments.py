"""Attachments: check an uploaded file, keep it in the content-addressed store, extract its text.

A file is judged by its bytes, never by its name: PDF, Word (.docx), Excel (.xlsx) and PNG, JPEG
or TIFF images are accepted; programs, scripts, web pages, SVG, other archives, damaged or
password-protected files are refused with a message that says what the file really is, and nothing
is stored. Accepted files have their text extracted for search (PDF text layer through poppler's
pdftotext in a bounded subprocess, DOCX and XLSX by streaming their XML under size and time
budgets). An extraction that fails or runs out of budget leaves empty or partial text and a flag;
it never refuses a file that is what it says it is.

`inspect()` does the checking and extraction on a file on disk; `store()` spools an upload,
inspects it and stores it. `Inspection.has_text_layer` is False for images and PDFs without a text
layer (scans): the files that OCR is for.
"""

from __future__ import annotations

import logging
import os
import re
import resource
import selectors as io_selectors
import shutil
import signal
import subprocess
import tempfile
import time
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

import filetype
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanphong.core import storage
from vanphong.core.errors import ValidationError
from vanphong.documents.services import UploadedFile

log = logging.getLogger(__name__)

# ---- limits (each can be overridden in settings) ------------------------------------------------

MAX_TEXT_CHARS = 1_000_000  # text kept per attachment
# Zip bombs: a .docx/.xlsx unpacking to more than MAX_UNPACKED_BYTES, or to more than MAX_UNPACK_RATIO times its
# packed size when that is over RATIO_CHECK_FROM_BYTES, is refused. Real ones stay far below (XML packs about 10:1;
# images not at all); text extraction streams and has a time budget, so large honest files cost only time.
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024
MAX_UNPACK_RATIO = 100
RATIO_CHECK_FROM_BYTES = 100 * 1024 * 1024
MAX_ZIP_ENTRIES = 10_000
MAX_XML_PART_BYTES = 32 * 1024 * 1024  # XML parts read whole (not streamed) above this size: no text (the file is kept)
MAX_XLSX_CELLS = 2_000_000  # cells visited, empty ones included
EXTRACT_SECONDS = 30  # per file, for every extractor
PDF_TOOL_MEMORY_BYTES = 1024 * 1024 * 1024  # address space of pdfinfo / pdftotext
MIN_TEXT_CHARS_PER_PAGE = 10  # fewer non-blank characters than this per page: no usable text layer


def _limit(name: str, default):
    return getattr(settings, name, default)


# ---- kinds ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    code: str
    content_type: str
    extension: str  # canonical, without the dot
    aliases: tuple[str, ...]
    # Lazy translated description ("a PDF document"). Kept out of equality and hashing: a lazy string
    # hashes as its text in the active language, so kinds used as dict keys would stop matching.
    label: object = field(compare=False, hash=False)


PDF = Kind("pdf", "application/pdf", "pdf", ("pdf",), gettext_lazy("a PDF document"))
DOCX = Kind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", ("docx",),
            gettext_lazy("a Word document (.docx)"))
XLSX = Kind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", ("xlsx",),
            gettext_lazy("an Excel workbook (.xlsx)"))
PNG = Kind("png", "image/png", "png", ("png",), gettext_lazy("a PNG image"))
JPEG = Kind("jpeg", "image/jpeg", "jpg", ("jpg", "jpeg", "jpe", "jfif"), gettext_lazy("a JPEG image"))
TIFF = Kind("tiff", "image/tiff", "tif", ("tif", "tiff"), gettext_lazy("a TIFF image"))
ACCEPTED = (PDF, DOCX, XLSX, PNG, JPEG, TIFF)
IMAGES = (PNG, JPEG, TIFF)
CONTENT_TYPES = frozenset(k.content_type for k in ACCEPTED)

_WINDOWS_PROGRAM = gettext_lazy("a Windows program (executable)")
_LINUX_PROGRAM = gettext_lazy("a Linux program (executable)")
_MAC_PROGRAM = gettext_lazy("a macOS or Java program (executable)")
_SCRIPT = gettext_lazy("a script (a program)")
_HTML = gettext_lazy("a web page (HTML)")
_SVG = gettext_lazy("an SVG image, which may contain scripts")
_XML = gettext_lazy("an XML file")
_ZIP = gettext_lazy("a ZIP archive")
_PPTX = gettext_lazy("a PowerPoint presentation")
_OOXML_MACROS = gettext_lazy("an Office file with macros")
_OOXML_OTHER = gettext_lazy("an Office file of a kind that is not accepted")
_OPENDOCUMENT = gettext_lazy("an OpenDocument file (LibreOffice)")
_OLD_OFFICE = gettext_lazy("an old-format Office file (.doc, .xls, .ppt)")
_LOCKED_OFFICE = gettext_lazy("a password-protected Office file")
_TEXT = gettext_lazy("a plain text file")
_UNKNOWN = gettext_lazy("a file of an unknown kind")


class Refused(ValidationError):
    """The file is not accepted; nothing was stored."""


class _NotAccepted(Exception):
    """What the file really is, when that is not an accepted kind (turned into a Refused with the file's name)."""

    def __init__(self, actual):
        super().__init__(str(actual))
        self.actual = actual


def _refuse(message: str, code: str) -> Refused:
    return Refused(message, code=code)


def _accepted_list() -> str:
    return _("Accepted files: PDF, Word (.docx), Excel (.xlsx), and PNG, JPEG or TIFF images.")


# ---- the result ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Inspection:
    kind: Kind
    text: str = ""
    page_count: int | None = None
    # False for images and for PDFs without a usable text layer (scans): candidates for OCR.
    # None where the question does not arise (Word, Excel).
    has_text_layer: bool | None = None
    extraction_failed: bool = False  # the extractor failed, timed out or was refused the file
    truncated: bool = False  # the text was cut at a budget

    @property
    def content_type(self) -> str:
        return self.kind.content_type

    @property
    def needs_ocr(self) -> bool:
        return self.has_text_layer is False


# ---- public API ----------------------------------------------------------------------------------


def store(upload) -> UploadedFile:
    """Check an uploaded file and keep it. Raises ValidationError (nothing stored) if it is refused."""
    name = getattr(upload, "name", "") or ""
    spooled, size = _spool(upload)
    try:
        result = inspect(spooled, filename=name)
        filename = _checked_filename(name, result.kind)
        if result.extraction_failed:
            log.warning("text extraction failed for %r (%s, %d bytes)", filename, result.kind.code, size)
        with open(spooled, "rb") as stream:
            sha, stored_size = storage.put(stream)
        return UploadedFile(sha256=sha, size=stored_size, filename=filename, content_type=result.content_type, text=result.text,
                            page_count=result.page_count, needs_ocr=result.needs_ocr)
    finally:
        os.unlink(spooled)


def inspect(path, filename: str | None = None) -> Inspection:
    """Tell what the file at `path` really is, refuse it if it is not accepted (or, given its `filename`, if the name
    claims another kind), and extract its text."""
    path = Path(path)
    with open(path, "rb") as f:
        head = f.read(64 * 1024)
    if not head:
        raise _refuse(_("The file is empty (0 bytes)."), "empty")
    try:
        kind = _detect(path, head)
    except _NotAccepted as exc:
        raise _refuse_kind(exc.actual, filename) from None
    if filename is not None:
        _checked_filename(filename, kind)
    deadline = time.monotonic() + _limit("VANPHONG_EXTRACT_TIMEOUT_SECONDS", EXTRACT_SECONDS)
    if kind is PDF:
        return _inspect_pdf(path, deadline)
    if kind is DOCX:
        return _inspect_docx(path, deadline)
    if kind is XLSX:
        return _inspect_xlsx(path, deadline)
    _check_image(kind, head)
    return Inspection(kind=kind, has_text_layer=False)


# ---- reading the upload --------------------------------------------------------------------------


def _spool(upload) -> tuple[str, int]:
    """Copy the upload to a private temporary file, counting bytes: .size is not trusted."""
    limit = _limit("VANPHONG_MAX_UPLOAD_BYTES", 50 * 1024 * 1024)
    fd, tmp = tempfile.mkstemp(prefix="vanphong-upload-", dir=getattr(settings, "FILE_UPLOAD_TEMP_DIR", None))
    size = 0
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in _chunks(upload):
                size += len(chunk)
                if size > limit:
                    raise _refuse(_("The file is larger than the limit of %(limit)s.") % {"limit": filesizeformat(limit)},
                                  "too_large")
                out.write(chunk)
        if size == 0:
            raise _refuse(_("The file is empty (0 bytes)."), "empty")
        return tmp, size
    except BaseException:
        os.unlink(tmp)
        raise


def _chunks(upload):
    if hasattr(upload, "chunks"):
        yield from upload.chunks(1024 * 1024)
        return
    if hasattr(upload, "seek"):
        try:
            upload.seek(0)
        except (OSError, ValueError):
            pass
    while True:
        chunk = upload.read(1024 * 1024)
        if not chunk:
            return
        yield chunk


# ---- names ---------------------------------------------------------------------------------------

_EXTENSION = re.compile(r"\.([A-Za-z0-9]{1,5})$")


def _extension(name: str) -> str:
    """The extension, if the name has one: short, ASCII, with a letter ("v1.2" and "12.QĐ-UBND" have none)."""
    m = _EXTENSION.search(name)
    return m.group(1).lower() if m and re.search(r"[A-Za-z]", m.group(1)) else ""


def clean_filename(name: str) -> str:
    """The last path component, NFC, without control or direction-override characters, at most 255 characters."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c for c in name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    if len(name) > 255:
        ext = _extension(name)
        keep = 255 - (len(ext) + 1 if ext else 0)
        name = name[:keep].rstrip() + (f".{ext}" if ext else "")
    return name


def _checked_filename(name: str, kind: Kind) -> str:
    name = clean_filename(name)
    ext = _extension(name)
    if not ext:
        stem = name or _("attachment")
        return f"{stem[:250]}.{kind.extension}"
    if ext not in kind.aliases:
        raise _refuse(
            _("The file is named “%(name)s” but it is really %(actual)s. Give it the right extension (.%(ext)s) and upload it again.")
            % {"name": name, "actual": kind.label, "ext": kind.extension}, "wrong_extension")
    return name


def _refuse_kind(actual, filename: str | None) -> Refused:
    """Refuse a file that is not of an accepted kind, saying what it really is (and what its name claimed)."""
    name = clean_filename(filename or "")
    if _extension(name):
        message = _("The file is named “%(name)s” but it is really %(actual)s, which is not accepted.") % {"name": name, "actual": actual}
    else:
        message = _("This file is %(actual)s, which is not accepted.") % {"actual": actual}
    return _refuse(f"{message} {_accepted_list()}", "not_accepted")


# ---- detection -----------------------------------------------------------------------------------

_HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<iframe", b"<frameset", b"<meta ", b"<a href")


def _detect(path: Path, head: bytes) -> Kind:
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    if head.startswith(b"PK\x03\x04"):
        return _detect_zip(path)
    raise _NotAccepted(_what_else(head))


def _what_else(head: bytes):
    if head.startswith(b"MZ"):
        return _WINDOWS_PROGRAM
    if head.startswith(b"\x7fELF"):
        return _LINUX_PROGRAM
    if head[:4] in (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe"):
        return _MAC_PROGRAM
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _LOCKED_OFFICE if "EncryptedPackage".encode("utf-16-le") in head else _OLD_OFFICE
    if head.startswith((b"PK\x05\x06", b"PK\x07\x08")):
        return _ZIP
    text = _as_text(head)
    if text is not None:
        start = text.lstrip()
        if start.startswith("#!"):
            return _SCRIPT
        lowered = start[:4096].lower().encode("utf-8", "replace")
        if b"<svg" in lowered:
            return _SVG
        if lowered.startswith(_HTML_MARKERS) or any(m in lowered for m in (b"<html", b"<script", b"<body")):
            return _HTML
        if lowered.startswith(b"<?xml"):
            return _XML
    guess = filetype.guess(head)
    if guess is not None:
        if guess.extension in ("exe", "elf", "dex"):
            return _WINDOWS_PROGRAM if guess.extension == "exe" else _LINUX_PROGRAM
        return gettext_lazy("a .%(ext)s file (%(mime)s)") % {"ext": guess.extension, "mime": guess.mime}
    if text is not None:
        return _TEXT
    return _UNKNOWN


def _as_text(head: bytes) -> str | None:
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return head[len(bom):].decode(encoding, "replace")
    if b"\x00" in head:
        return None
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 4:  # a character cut at the end of the sample
            return head[:exc.start].decode("utf-8")
        return None


# ---- OOXML ---------------------------------------------------------------------------------------

_CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
# Where the main part is when [Content_Types].xml gives its type only by extension (a Default).
_MAIN_PARTS = {DOCX: "word/document.xml", XLSX: "xl/workbook.xml"}
_MACRO_TYPES = (
    "application/vnd.ms-word.document.macroenabled.main+xml", "application/vnd.ms-word.template.macroenabledtemplate.main+xml",
    "application/vnd.ms-excel.sheet.macroenabled.main+xml", "application/vnd.ms-excel.template.macroenabled.main+xml",
    "application/vnd.ms-excel.sheet.binary.macroenabled.main",
)


def _open_zip(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _refuse(_("The file is damaged: it cannot be opened."), "damaged") from None


def _detect_zip(path: Path) -> Kind:
    """A ZIP is a .docx or .xlsx only if its [Content_Types].xml says so and the main part is there."""
    with _open_zip(path) as zf:
        infos = zf.infolist()
        _check_zip_bounds(infos, path.stat().st_size)
        names = {i.filename for i in infos}
        if "[Content_Types].xml" not in names:
            if "mimetype" in names and "content.xml" in names:
                raise _NotAccepted(_OPENDOCUMENT)
            raise _NotAccepted(_ZIP)
        lowered = {ct.lower(): part for part, ct in _content_types(zf).items()}
        if any(t in lowered for t in _MACRO_TYPES) or any(n.lower().endswith("vbaproject.bin") for n in names):
            raise _NotAccepted(_OOXML_MACROS)
        for content_type, kind in _MAIN_TYPES.items():
            part = lowered.get(content_type)
            if part is not None:
                if part.lstrip("/") not in names:
                    raise _refuse(_("The file is damaged: it cannot be opened."), "damaged")
                if any(i.flag_bits & 0x1 for i in infos):
                    raise _NotAccepted(_LOCKED_OFFICE)
                return kind
        if any(ct.startswith("application/vnd.openxmlformats-officedocument.presentationml") for ct in lowered):
            raise _NotAccepted(_PPTX)
        raise _NotAccepted(_OOXML_OTHER)


def _check_zip_bounds(infos: list[zipfile.ZipInfo], packed: int) -> None:
    """Declared sizes are enough: Python's zipfile never inflates an entry past the size it declares."""
    unpacked = sum(i.file_size for i in infos)
    too_big = unpacked > _limit("VANPHONG_MAX_UNPACKED_BYTES", MAX_UNPACKED_BYTES)
    too_dense = unpacked > RATIO_CHECK_FROM_BYTES and unpacked > MAX_UNPACK_RATIO * packed
    if too_big or too_dense or len(infos) > MAX_ZIP_ENTRIES:
        raise _refuse(_("The file would unpack to %(size)s (%(entries)s parts), which is not safe to open: it is refused.")
                      % {"size": filesizeformat(unpacked), "entries": len(infos)}, "zip_bomb")


def _content_types(zf: zipfile.ZipFile) -> dict[str, str]:
    """Part name → content type, from [Content_Types].xml (small; a DTD is refused outright). A type given only as a
    Default for an extension counts for the usual main part of that kind, if the package has it."""
    info = zf.getinfo("[Content_Types].xml")
    if info.file_size > 1024 * 1024:
        raise _refuse(_("The file is damaged: it cannot be opened."), "damaged")
    try:
        data = zf.read(info)
        if b"<!DOCTYPE" in data.upper():
            raise ValueError("DTD in [Content_Types].xml")
        root = ElementTree.fromstring(data)
    except (zipfile.BadZipFile, ElementTree.ParseError, ValueError, OSError, EOFError, RuntimeError):
        raise _refuse(_("The file is damaged: it cannot be opened."), "damaged") from None
    types = {el.get("PartName", ""): el.get("ContentType", "") for el in root.iter(f"{_CT_NS}Override")}
    defaults = {(el.get("Extension") or "").lower(): (el.get("ContentType") or "") for el in root.iter(f"{_CT_NS}Default")}
    names = set(zf.namelist())
    for content_type, kind in _MAIN_TYPES.items():
        part = _MAIN_PARTS[kind]
        if f"/{part}" not in types and part in names and defaults.get("xml", "").lower() == content_type:
            types[f"/{part}"] = content_type
    return types


def _main_part(zf: zipfile.ZipFile, kind: Kind) -> str:
    wanted = {ct for ct, k in _MAIN_TYPES.items() if k is kind}
    for part, ct in _content_types(zf).items():
        if ct.lower() in wanted:
            return part.lstrip("/")
    raise KeyError("main part")


# ---- DOCX ----------------------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def _inspect_docx(path: Path, deadline: float) -> Inspection:
    """Paragraphs, in document order, with those of tables, text boxes and content controls, streamed."""
    from lxml import etree

    parts: list[str] = []
    budget = _limit("VANPHONG_MAX_ATTACHMENT_TEXT_CHARS", MAX_TEXT_CHARS)
    failed = truncated = False
    with _open_zip(path) as zf:
        try:
            info = zf.getinfo(_main_part(zf, DOCX))
            with zf.open(info) as stream:
                paragraph: list[str] = []
                fallback = 0
                used = 0
                for event, el in etree.iterparse(stream, events=("start", "end"), resolve_entities=False, load_dtd=False,
                                                 no_network=True, huge_tree=False, remove_comments=True, remove_pis=True):
                    tag = el.tag
                    if tag == _MC_FALLBACK:  # the same content as its mc:Choice, for older readers
                        fallback += 1 if event == "start" else -1
                        continue
                    if event == "start":
                        continue
                    if fallback == 0:
                        if tag == f"{_W}t" and el.text:
                            paragraph.append(el.text)
                        elif tag == f"{_W}tab":
                            paragraph.append("\t")
                        elif tag in (f"{_W}br", f"{_W}cr"):
                            paragraph.append("\n")
                    if tag == f"{_W}p":
                        line = "".join(paragraph)
                        paragraph.clear()
                        if line.strip():
                            parts.append(line)
                            used += len(line) + 1
                        el.clear(keep_tail=True)
                        while el.getprevious() is not None:  # finished siblings: keep memory flat
                            del el.getparent()[0]
                        if used >= budget or time.monotonic() > deadline:
                            truncated = True
                            break
        except KeyError:
            failed = True
        except (etree.XMLSyntaxError, zipfile.BadZipFile, OSError, EOFError, RuntimeError, ValueError) as exc:
            log.info("DOCX text extraction failed: %s", exc)
            failed = True
    text, cut = _clean_text("\n".join(parts))
    return Inspection(kind=DOCX, text=text, extraction_failed=failed, truncated=truncated or cut)


# ---- XLSX ----------------------------------------------------------------------------------------


def _inspect_xlsx(path: Path, deadline: float) -> Inspection:
    """Sheet names and cell values (cached results, not formulas), row by row, under cell, size and time budgets."""
    import openpyxl

    with _open_zip(path) as zf:
        # Worksheets are streamed; shared strings, styles and the rest are read whole.
        big = [i for i in zf.infolist() if i.file_size > MAX_XML_PART_BYTES and i.filename.lower().endswith(".xml")
               and not i.filename.startswith("xl/worksheets/")]
    if big:
        return Inspection(kind=XLSX, extraction_failed=True)
    lines: list[str] = []
    budget = _limit("VANPHONG_MAX_ATTACHMENT_TEXT_CHARS", MAX_TEXT_CHARS)
    used = cells = 0
    failed = truncated = False
    workbook = handle = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            handle = open(path, "rb")  # a file object: openpyxl judges a path by its extension
            workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True, keep_links=False)
            for sheet in workbook.worksheets:
                lines.append(sheet.title)
                sheet.reset_dimensions()  # the stored dimensions may lie: read the rows that are there
                for row in sheet.iter_rows(values_only=True):
                    cells += len(row)
                    values = [_cell_text(v) for v in row if v is not None and v != ""]
                    if values:
                        line = "\t".join(values)
                        lines.append(line)
                        used += len(line) + 1
                    if used >= budget or cells >= MAX_XLSX_CELLS or time.monotonic() > deadline:
                        truncated = True
                        break
                if truncated:
                    break
    except Exception as exc:  # openpyxl raises many kinds on malformed parts; the file itself is a valid package
        log.info("XLSX text extraction failed: %s", exc)
        failed = True
    finally:
        if workbook is not None:
            workbook.close()
        if handle is not None:
            handle.close()
    text, cut = _clean_text("\n".join(lines))
    return Inspection(kind=XLSX, text=text, extraction_failed=failed, truncated=truncated or cut)


def _cell_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y %H:%M" if getattr(value, "hour", 0) or getattr(value, "minute", 0) else "%d/%m/%Y")
    return str(value)


# ---- PDF -----------------------------------------------------------------------------------------


def _inspect_pdf(path: Path, deadline: float) -> Inspection:
    """pdfinfo says whether poppler can open it (damaged? password?) and how many pages; pdftotext reads the text layer."""
    info = run_pdf_tool(["pdfinfo", str(path)], deadline, max_output=1024 * 1024)
    if info is None:  # out of time: poppler could not even open it in the budget; keep the file, flag it
        return Inspection(kind=PDF, extraction_failed=True)
    code, out, err = info
    err_text = err.decode("utf-8", "replace").lower()
    if code != 0:
        if "password" in err_text:
            raise _refuse(_("The PDF is protected by a password. Remove the password (for example, print it to a new PDF) "
                            "and upload it again."), "encrypted")
        raise _refuse(_("The PDF is damaged: it cannot be opened."), "damaged")
    pages = None
    for line in out.decode("utf-8", "replace").splitlines():
        if line.startswith("Pages:"):
            try:
                pages = int(line.split(":", 1)[1])
            except ValueError:
                pass
    if not pages:
        raise _refuse(_("The PDF is damaged: it has no pages."), "damaged")
    budget = _limit("VANPHONG_MAX_ATTACHMENT_TEXT_CHARS", MAX_TEXT_CHARS)
    result = run_pdf_tool(["pdftotext", "-q", "-enc", "UTF-8", "-eol", "unix", str(path), "-"], deadline, max_output=budget * 4)
    if result is None:
        return Inspection(kind=PDF, page_count=pages, extraction_failed=True)
    code, out, _err = result
    failed = code != 0 and not out  # 3: copying not allowed by the author; other codes: damaged streams
    text, cut = _clean_text(out.decode("utf-8", "replace"))
    visible = sum(1 for c in text if not c.isspace())
    has_layer = None if failed else visible >= MIN_TEXT_CHARS_PER_PAGE * pages
    return Inspection(kind=PDF, text=text, page_count=pages, has_text_layer=has_layer, extraction_failed=failed,
                      truncated=cut or len(out) >= budget * 4)


def run_pdf_tool(args: list[str], deadline: float, *, max_output: int) -> tuple[int, bytes, bytes] | None:
    """Run a poppler tool with a deadline, bounded memory and bounded output. None if it ran out of time.

    Output past `max_output` is dropped and the tool stopped: what was read is returned."""
    if shutil.which(args[0]) is None:
        raise ImproperlyConfigured(f"{args[0]} (Debian package poppler-utils) is needed to check PDF files")
    timeout = max(deadline - time.monotonic(), 0.5)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C.UTF-8", "HOME": tempfile.gettempdir()}
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            start_new_session=True)
    try:
        try:
            memory = PDF_TOOL_MEMORY_BYTES
            resource.prlimit(proc.pid, resource.RLIMIT_AS, (memory, memory))
            cpu = int(timeout) + 1
            resource.prlimit(proc.pid, resource.RLIMIT_CPU, (cpu, cpu))
        except (OSError, ValueError, AttributeError):  # already gone, or not Linux: the deadline still holds
            pass
        out, err = bytearray(), bytearray()
        end = time.monotonic() + timeout
        with io_selectors.DefaultSelector() as sel:
            sel.register(proc.stdout, io_selectors.EVENT_READ, out)
            sel.register(proc.stderr, io_selectors.EVENT_READ, err)
            while sel.get_map():
                remaining = end - time.monotonic()
                if remaining <= 0:
                    log.warning("%s ran out of time", args[0])
                    return None
                for key, _mask in sel.select(remaining):
                    chunk = os.read(key.fd, 65536)
                    if not chunk:
                        sel.unregister(key.fileobj)
                        continue
                    buffer = key.data
                    if buffer is out and len(out) + len(chunk) > max_output:
                        out += chunk[:max_output - len(out)]
                        return (0, bytes(out), bytes(err))
                    if buffer is err and len(err) > 65536:
                        continue
                    buffer += chunk
        code = proc.wait(timeout=max(end - time.monotonic(), 0.5))
        return code, bytes(out), bytes(err)
    except subprocess.TimeoutExpired:
        return None
    finally:
        if proc.poll() is None:  # stopped early: end the tool and anything it started (its own session)
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()


# ---- images --------------------------------------------------------------------------------------


def _check_image(kind: Kind, head: bytes) -> None:
    """The header must be whole: a PNG starts with its IHDR of non-zero size; a JPEG's next marker follows."""
    damaged = False
    if kind is PNG:
        damaged = len(head) < 33 or head[12:16] != b"IHDR" or int.from_bytes(head[16:20], "big") == 0 \
            or int.from_bytes(head[20:24], "big") == 0
    elif kind is JPEG:
        damaged = len(head) < 4
    elif kind is TIFF:
        damaged = len(head) < 8
    if damaged:
        raise _refuse(_("The image is damaged: it cannot be opened."), "damaged")


# ---- text ----------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_LINE_SPACE = re.compile(r"[ \u00a0\u2000-\u200b\u3000]+")
_TABS = re.compile(r" ?\t[\t ]*")
_BLANK_LINES = re.compile(r"\n{3,}")


def _clean_text(text: str) -> tuple[str, bool]:
    """NFC (decomposed tone marks composed), no control characters (PostgreSQL refuses NUL), spaces collapsed within
    lines, lines kept, at most MAX_TEXT_CHARS. Returns (text, cut)."""
    budget = _limit("VANPHONG_MAX_ATTACHMENT_TEXT_CHARS", MAX_TEXT_CHARS)
    text = text[: budget * 2]
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n"))
    text = _CONTROL.sub(" ", text)
    text = "\n".join(_TABS.sub("\t", _LINE_SPACE.sub(" ", line)).strip() for line in text.split("\n"))
    text = _BLANK_LINES.sub("\n\n", text).strip()
    if len(text) > budget:
        return text[:budget], True
    return text, False
