"""The purge of acknowledged packages: the hub drops a package's bytes when its recipient acknowledges it, and
its row once that is VANPHONG_HUB_PURGE_DAYS (default 90) old, so that the table does not grow forever.

What stays: every package not yet acknowledged (the network's health counts them, the recipient still has to
collect them), and the acknowledged ones of the last days, which getSentEdocList shows their senders with
their acknowledgedAt. A package whose row is gone is no longer recognised as a duplicate: the same bytes sent
again after that long are taken as a new delivery, and the recipient's inbox recognises them."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanphong import config
from vanphong.core import audit
from vanphong.core.errors import PermissionDenied, ValidationError
from vanphong.hub.models import Package

DEFAULT_DAYS = 90
MAX_DAYS = 36500
BATCH = 1000


def default_days() -> int:
    """VANPHONG_HUB_PURGE_DAYS: a setting, else the environment or vanphong.toml, else 90."""
    configured = getattr(settings, "VANPHONG_HUB_PURGE_DAYS", None)
    return int(configured if configured is not None else config.get_int("VANPHONG_HUB_PURGE_DAYS", DEFAULT_DAYS))


def purge_acknowledged(actor, *, older_than_days: int, now: dt.datetime | None = None, request=None) -> int:
    """Delete the packages acknowledged more than `older_than_days` days ago; return how many. `actor` None is the
    command line or the worker; on the web, only the instance's operators. In batches, each its own transaction,
    so that the hub's requests never wait long on it; one audit record for the run."""
    if actor is not None and not (actor.is_active and actor.is_superuser):
        raise PermissionDenied(_("Only the operators of this instance run the exchange hub."))
    if isinstance(older_than_days, bool) or not isinstance(older_than_days, int) or not 1 <= older_than_days <= MAX_DAYS:
        raise ValidationError({"older_than_days": _("Enter a number of days from 1 to %(max)s.") % {"max": MAX_DAYS}})
    cutoff = (now or timezone.now()) - dt.timedelta(days=older_than_days)
    old = Package.objects.filter(acknowledged_at__isnull=False, acknowledged_at__lt=cutoff)
    deleted = 0
    while True:
        ids = list(old.order_by("acknowledged_at", "id").values_list("pk", flat=True)[:BATCH])
        if not ids:
            break
        with transaction.atomic():
            done, _by_model = Package.objects.filter(pk__in=ids, acknowledged_at__isnull=False, acknowledged_at__lt=cutoff).delete()
        deleted += done
    with transaction.atomic():
        audit.record("hub.packages.purged", actor=actor, request=request,
                     data={"deleted": deleted, "older_than_days": older_than_days, "acknowledged_before": cutoff.isoformat()})
    return deleted
