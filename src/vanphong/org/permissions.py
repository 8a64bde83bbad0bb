"""Who may manage what in the organisation. Services call these; templates only mirror them."""

from django.utils.translation import gettext as _

from vanphong.core.errors import PermissionDenied
from vanphong.org.models import Agency, Role


def is_instance_operator(person) -> bool:
    return bool(person and person.is_authenticated and person.is_active and person.is_superuser)


def can_manage_directory(person) -> bool:
    return is_instance_operator(person)


def can_manage_agency(person, agency: Agency) -> bool:
    """Agency administrators manage their own agency's units and people."""
    if not (person and person.is_authenticated and person.is_active):
        return False
    return person.agency_id == agency.pk and person.has_role(Role.Code.ADMIN)


def can_read_people(person) -> bool:
    """The staff list of an agency: its administrators, personnel officers and instance operators."""
    if not (person and person.is_authenticated and person.is_active):
        return False
    return person.is_superuser or person.has_role(Role.Code.ADMIN) or person.has_role(Role.Code.PERSONNEL)


def require_people_reader(person) -> None:
    if not can_read_people(person):
        raise PermissionDenied(_("Only administrators and personnel officers of the agency may see its people."))


def require_directory_manager(person) -> None:
    if not can_manage_directory(person):
        raise PermissionDenied(_("Only an instance operator may manage the agency directory."))


def require_agency_manager(person, agency: Agency) -> None:
    if not can_manage_agency(person, agency):
        raise PermissionDenied(_("Only an administrator of this agency may do this."))
