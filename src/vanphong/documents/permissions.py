"""Who may do what with documents. Services call these."""

from django.utils.translation import gettext as _

from vanphong.core.clearance import may_read
from vanphong.core.errors import PermissionDenied
from vanphong.org.models import Role


def _member(person, agency) -> bool:
    return bool(person and person.is_authenticated and person.is_active and person.agency_id == agency.pk)


def is_clerk(person, agency) -> bool:
    return _member(person, agency) and person.has_role(Role.Code.CLERK)


def can_manage_registers(person, agency) -> bool:
    return _member(person, agency) and (person.has_role(Role.Code.CLERK) or person.has_role(Role.Code.ADMIN))


def can_draft(person, agency) -> bool:
    return _member(person, agency)


def require_clerk(person, agency) -> None:
    if not is_clerk(person, agency):
        raise PermissionDenied(_("Only a clerk of this agency may do this."))


def require_register_manager(person, agency) -> None:
    if not can_manage_registers(person, agency):
        raise PermissionDenied(_("Only clerks and administrators of this agency manage its registers."))


def require_clearance(person, confidentiality: int) -> None:
    if not may_read(person.clearance, confidentiality):
        raise PermissionDenied(_("Your clearance does not allow documents of this confidentiality."))
