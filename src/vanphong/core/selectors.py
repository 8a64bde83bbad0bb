"""Reads of the audit log, limited to what the reader may see."""

from django.db.models import QuerySet

from vanphong.core.models import AuditRecord
from vanphong.org.permissions import can_manage_agency, is_instance_operator


def audit_records_visible_to(reader, *, action_prefix: str = "") -> QuerySet[AuditRecord]:
    """Agency administrators see their agency's records; instance operators see, in addition,
    the records that belong to no agency (instance-wide events). Everyone else sees nothing."""
    from django.db.models import Q

    scope = Q(pk__in=[])
    if can_manage_agency(reader, reader.agency):
        scope |= Q(agency_id=reader.agency_id)
    if is_instance_operator(reader):
        scope |= Q(agency__isnull=True)
    qs = AuditRecord.objects.filter(scope).select_related("actor").order_by("-seq")
    if action_prefix:
        qs = qs.filter(action__startswith=action_prefix)
    return qs


def security_events_of(person, limit: int = 10) -> list[AuditRecord]:
    """The person's own recent sign-ins and account changes, for their home and account pages."""
    return list(
        AuditRecord.objects.filter(actor=person, action__startswith="accounts.").order_by("-seq")[:limit]
    )
