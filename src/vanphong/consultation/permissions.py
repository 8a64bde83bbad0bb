"""Who may do what in a consultation. Services and selectors call these; templates only mirror them.

- Staff of the drafting body: in the consultation's agency, its administrators, the person who started it,
  and the members of the drafting unit and of the units below it. They see everything and manage it.
- Respondents: the invited person; the active members of an invited unit; for an invited agency, its
  clerks, leaders and administrators (who answer in its name). They see and answer only their invitation.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from vanphong.core.errors import PermissionDenied
from vanphong.org.models import Role

STARTER_ROLES = (Role.Code.LEADER, Role.Code.SPECIALIST, Role.Code.CLERK, Role.Code.ADMIN)
AGENCY_ANSWER_ROLES = (Role.Code.CLERK, Role.Code.LEADER, Role.Code.ADMIN)


def _active(person) -> bool:
    return bool(person and person.is_authenticated and person.is_active)


def can_start_consultation(person) -> bool:
    return _active(person) and any(person.has_role(code) for code in STARTER_ROLES)


def require_starter(person) -> None:
    if not can_start_consultation(person):
        raise PermissionDenied(_("Only leaders, specialists, clerks and administrators may put a draft out for comments."))


def _in_unit_tree(person, unit) -> bool:
    if not person.unit_id or unit is None:
        return False
    if person.unit_id == unit.pk:
        return True
    return person.unit.path.startswith(f"{unit.path}{unit.pk}/")


def is_staff_of(person, consultation) -> bool:
    if not _active(person) or person.agency_id != consultation.agency_id:
        return False
    return (person.has_role(Role.Code.ADMIN) or consultation.created_by_id == person.pk
            or _in_unit_tree(person, consultation.drafting_unit))


def require_staff(person, consultation) -> None:
    if not is_staff_of(person, consultation):
        raise PermissionDenied(_("Only the staff of the drafting body may do this."))


def staff_filter(person) -> Q:
    """Consultations whose staff the person is (for querysets of Consultation)."""
    if not _active(person):
        return Q(pk__in=[])
    mine = Q(agency_id=person.agency_id)
    if person.has_role(Role.Code.ADMIN):
        return mine
    units = Q(created_by_id=person.pk)
    if person.unit_id:
        ancestors = [int(pk) for pk in person.unit.path.strip("/").split("/") if pk]
        units |= Q(drafting_unit_id__in=[person.unit_id, *ancestors])
    return mine & units


def respondent_filter(person, prefix: str = "") -> Q:
    """Invitations the person answers (for querysets of Invitation, or through `prefix`, e.g. "invitations__")."""
    if not _active(person):
        return Q(pk__in=[])
    q = Q(**{f"{prefix}person_id": person.pk})
    if person.unit_id:
        q |= Q(**{f"{prefix}unit_id": person.unit_id})
    if any(person.has_role(code) for code in AGENCY_ANSWER_ROLES):
        q |= Q(**{f"{prefix}agency_id": person.agency_id})
    return q


def is_respondent_of(person, invitation) -> bool:
    if not _active(person):
        return False
    if invitation.person_id:
        return invitation.person_id == person.pk
    if invitation.unit_id:
        return invitation.unit_id == person.unit_id
    return invitation.agency_id == person.agency_id and any(person.has_role(code) for code in AGENCY_ANSWER_ROLES)
