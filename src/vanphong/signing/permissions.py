"""Who may sign with the keys the system holds, and who decides which roots are trusted."""

from django.utils.translation import gettext as _

from vanphong.core.errors import PermissionDenied
from vanphong.org.models import Role


def _active(person) -> bool:
    return bool(person and person.is_authenticated and person.is_active)


def require_official_key_holder(person, certificate) -> None:
    """An official's held key signs only for that official, signed in: no one signs for another."""
    if not _active(person) or certificate.holder_person_id != person.pk:
        raise PermissionDenied(_("Only the official named in this certificate may sign with it."))


def require_seal_keeper(person, agency) -> None:
    """The agency's seal is applied by its clerks (văn thư), as the paper seal is."""
    if not _active(person) or person.agency_id != agency.pk or not person.has_role(Role.Code.CLERK):
        raise PermissionDenied(_("Only a clerk of %(agency)s may apply its seal.") % {"agency": agency.name})


def can_manage_trusted_roots(person) -> bool:
    return _active(person) and person.has_role(Role.Code.ADMIN)


def require_trust_manager(person) -> None:
    """`person` None is the trusted command line."""
    if person is not None and not can_manage_trusted_roots(person):
        raise PermissionDenied(_("Only an administrator may change the trusted root certificates."))
