"""Parsing XML that comes from outside: no entities, no DTD, no network, no huge nodes, a size
limit, and a clear refusal of any document type declaration (billion laughs, XXE).

One piece for every reader of foreign XML: the edXML codec (exchange) and the XML-DSig verifier
(signing) turn XmlRefused into their own error, with the same message."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _
from lxml import etree

from vanphong.core.errors import ValidationError


class XmlRefused(ValidationError):
    """The bytes are not XML this system will read; the message says why, in the user's language."""

# Seen in the raw bytes before parsing: refused at once, whatever the parser would do with it.
# (A declaration in UTF-16 escapes this test; the parsed tree's docinfo catches it below.)
_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def parser() -> etree.XMLParser:
    """A new parser each time: lxml parsers are not safe to share between threads."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_comments=False)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


def parse(data: bytes, *, max_bytes: int) -> etree._Element:
    if not isinstance(data, bytes):
        raise TypeError("parse() takes the bytes of the file")
    if len(data) > max_bytes:
        raise XmlRefused(_("The file is larger than %(limit)s, the most this system accepts.")
                                % {"limit": _megabytes(max_bytes)}, code="too_large")
    if not data.strip():
        raise XmlRefused(_("The file is empty."), code="empty")
    if _DECLARATION.search(data):
        raise _refuse_declaration()
    try:
        root = etree.fromstring(data, parser=parser())
    except etree.XMLSyntaxError as exc:
        if "Text node too long" in str(exc.msg):
            raise XmlRefused(_("An element of the file holds more than 10 million characters, the most the XML "
                                      "parser accepts: an attachment larger than about 7 MB cannot travel in one package."),
                                    code="text_too_long") from None
        raise XmlRefused(_("The file is not well-formed XML: %(error)s") % {"error": exc.msg or exc},
                                code="not_xml") from None
    except ValueError as exc:
        raise XmlRefused(_("The file is not well-formed XML: %(error)s") % {"error": exc}, code="not_xml") from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None \
            or any(True for _entity in root.iter(etree.Entity)):
        raise _refuse_declaration()
    return root


def _refuse_declaration() -> XmlRefused:
    return XmlRefused(_("The file declares a document type or entities (<!DOCTYPE>, <!ENTITY>). edXML packages "
                               "never do, and such declarations are used in attacks: the file was not read."),
                             code="declaration")
