"""Agency codes (mã định danh, Decision 20/2020/QĐ-TTg): 000.00.00.G22 — three groups of digits
(levels 4, 3, 2) and a level-1 group of a letter and two digits."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

AGENCY_CODE = re.compile(r"[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}")


def is_agency_code(value: str) -> bool:
    return bool(AGENCY_CODE.fullmatch(value or ""))


def validate_agency_code(value: str) -> None:
    if not is_agency_code(value):
        raise ValidationError(
            _("“%(value)s” is not an agency code: expected the form 000.00.00.G22."), code="agency_code", params={"value": value}
        )
