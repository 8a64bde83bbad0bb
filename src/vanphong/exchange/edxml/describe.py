"""A read package as JSON-ready data: every field, dates in ISO 8601, attachments summarised by
name, type, size and SHA-256 (never their content), the signature and the oddities."""

from __future__ import annotations

import dataclasses
import datetime as dt

from vanphong.exchange.edxml import model
from vanphong.exchange.edxml.reader import ReadResult


def _plain(value):
    if isinstance(value, model.Attachment):
        return {"content_id": value.content_id, "attachment_name": value.attachment_name, "description": value.description,
                "content_type": value.content_type, "size": value.size, "sha256": value.sha256, "readable": value.data is not None}
    if dataclasses.is_dataclass(value):
        return {f.name.rstrip("_"): _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def describe(result: ReadResult) -> dict:
    package = _plain(result.package)
    if isinstance(result.package, model.Status):
        package["status_meaning"] = model.STATUS_CODES.get(result.package.status_code)
    else:
        package["business_doc_type_meaning"] = model.BUSINESS_DOC_TYPES.get(result.package.business_doc_type)
    return {"kind": result.kind, "sha256": result.sha256, "size": len(result.data), "package": package,
            "signature": result.signature.as_dict(), "oddities": [o.as_dict() for o in result.oddities]}
