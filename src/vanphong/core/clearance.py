"""Confidentiality levels (độ mật) and the one rule that compares them with a person's clearance."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Clearance(models.IntegerChoices):
    NONE = 0, _("None")
    CONFIDENTIAL = 1, _("Confidential (Mật)")
    SECRET = 2, _("Secret (Tối mật)")
    TOP_SECRET = 3, _("Top secret (Tuyệt mật)")


def may_read(clearance: int, confidentiality: int) -> bool:
    return int(clearance) >= int(confidentiality)
