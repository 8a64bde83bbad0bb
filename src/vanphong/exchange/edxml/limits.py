"""How much the codec takes in: a package, and each attachment in it."""

from __future__ import annotations

from dataclasses import dataclass

# A package with its attachments in base64 (the same limit as signing.xmldsig).
DEFAULT_MAX_PACKAGE_BYTES = 64 * 1024 * 1024
# The XML parser, safe by design (huge_tree off), holds at most 10,000,000 characters in one text
# node: base64 of about 7.15 MiB. An attachment is carried in one node, so 7 MiB is the ceiling.
DEFAULT_MAX_ATTACHMENT_BYTES = 7 * 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_package_bytes: int = DEFAULT_MAX_PACKAGE_BYTES
    max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES

    @classmethod
    def from_settings(cls) -> Limits:
        """VANPHONG_EDXML_MAX_BYTES and VANPHONG_EDXML_MAX_ATTACHMENT_BYTES when set, else the defaults."""
        from django.conf import settings

        return cls(max_package_bytes=getattr(settings, "VANPHONG_EDXML_MAX_BYTES", DEFAULT_MAX_PACKAGE_BYTES),
                   max_attachment_bytes=min(getattr(settings, "VANPHONG_EDXML_MAX_ATTACHMENT_BYTES", DEFAULT_MAX_ATTACHMENT_BYTES),
                                            DEFAULT_MAX_ATTACHMENT_BYTES))
