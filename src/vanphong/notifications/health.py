"""The outbox's part of `vanphong check`: e-mails that keep failing, or that were given up, mean that the SMTP
settings or the server need the operator."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from vanphong.core.health import Check
from vanphong.notifications.models import OutgoingEmail

STUCK_AFTER = dt.timedelta(minutes=15)
FAILED_WITHIN = dt.timedelta(days=7)


def check_email() -> Check:
    now = timezone.now()
    pending = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.PENDING)
    stuck = pending.filter(attempts__gt=0, created_at__lt=now - STUCK_AFTER)
    failed = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.FAILED, created_at__gte=now - FAILED_WITHIN)
    stuck_count, failed_count = stuck.count(), failed.count()
    if stuck_count or failed_count:
        last = (stuck.order_by("-pk").first() or failed.order_by("-pk").first()).last_error
        return Check("email", False, f"{stuck_count} e-mail(s) failing for over {int(STUCK_AFTER.total_seconds() // 60)} min, "
                                     f"{failed_count} given up in 7 days; last error: {last[:200]}")
    return Check("email", True, f"{pending.count()} e-mail(s) waiting, none failing")
