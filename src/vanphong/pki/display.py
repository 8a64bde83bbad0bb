"""What the pages show next to a certificate row: its profile's name and whether it has expired
or expires within the warning period. One helper for the operator's list and the holder's page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone

from vanphong.pki import profiles


def mark(certificates: Iterable, now=None) -> list:
    now = now or timezone.now()
    soon = now + dt.timedelta(days=settings.VANPHONG_CERTIFICATE_WARNING_DAYS)
    rows = list(certificates)
    for cert in rows:
        profile = profiles.PROFILES.get(cert.profile)
        cert.profile_label = profile.label if profile else cert.profile
        cert.expired = cert.not_after <= now
        cert.expiring_soon = cert.status == "valid" and not cert.expired and cert.not_after <= soon
    return rows
