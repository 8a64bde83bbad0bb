"""Safe parsing of what arrives (vanphong.core.safe_xml), refusals as UnreadablePackage."""

from __future__ import annotations

from lxml import etree

from vanphong.core import safe_xml
from vanphong.exchange.edxml.oddities import UnreadablePackage

parser = safe_xml.parser


def parse(data: bytes, *, max_bytes: int) -> etree._Element:
    try:
        return safe_xml.parse(data, max_bytes=max_bytes)
    except safe_xml.XmlRefused as refused:
        raise UnreadablePackage(refused.messages[0], code=refused.code) from None
