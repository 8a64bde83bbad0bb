"""Who may read and change an agency's calendar and default deadlines. Services and selectors call these."""

from django.utils.translation import gettext as _

from vanphong.core.errors import PermissionDenied
from vanphong.org.permissions import can_manage_agency


def can_manage_calendar(person, agency) -> bool:
    """The agency's own administrators."""
    return can_manage_agency(person, agency)


def can_read_calendar(person, agency) -> bool:
    """Everyone in the agency: its working days are not secret to its own people."""
    return bool(person and person.is_authenticated and person.is_active and person.agency_id == agency.pk)


def require_calendar_manager(person, agency) -> None:
    if not can_manage_calendar(person, agency):
        raise PermissionDenied(_("Only an administrator of this agency may change its calendar and deadlines."))


# ---- handling of incoming documents ---------------------------------------------------------------


def is_leader(person, agency) -> bool:
    """Leaders (lãnh đạo) of the agency assign its incoming documents."""
    from vanphong.org.models import Role

    return bool(can_read_calendar(person, agency) and person.has_role(Role.Code.LEADER))


def require_leader(person, agency) -> None:
    if not is_leader(person, agency):
        raise PermissionDenied(_("Only a leader of this agency may assign its documents."))
