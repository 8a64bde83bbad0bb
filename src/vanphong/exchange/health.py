"""The exchange's part of `vanphong check`: packages that keep failing or were given up, and the
oldest one still waiting, mean a transport, a certificate or a directory entry needs the operator."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from vanphong.core.health import Check
from vanphong.exchange.models import OutboundMessage

STUCK_AFTER = dt.timedelta(minutes=15)
FAILED_WITHIN = dt.timedelta(days=7)


def check_exchange() -> Check:
    now = timezone.now()
    pending = OutboundMessage.objects.filter(state=OutboundMessage.State.PENDING)
    stuck = pending.filter(attempts__gt=0, created_at__lt=now - STUCK_AFTER)
    failed = OutboundMessage.objects.filter(state=OutboundMessage.State.FAILED, created_at__gte=now - FAILED_WITHIN)
    stuck_count, failed_count = stuck.count(), failed.count()
    oldest = pending.order_by("created_at").values_list("created_at", flat=True).first()
    waiting = f"{pending.count()} package(s) waiting" + (f", the oldest since {timezone.localtime(oldest):%d/%m/%Y %H:%M}" if oldest else "")
    if stuck_count or failed_count:
        last = (stuck.order_by("-pk").first() or failed.order_by("-pk").first()).last_error
        return Check("exchange", False, f"{stuck_count} package(s) failing for over {int(STUCK_AFTER.total_seconds() // 60)} min, "
                                        f"{failed_count} given up in 7 days; {waiting}; last error: {last[:200]}")
    return Check("exchange", True, f"{waiting}, none failing")
