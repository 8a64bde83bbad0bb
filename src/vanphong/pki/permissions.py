"""Who may run the certificate authority. Services call these; templates only mirror them."""

from django.utils.translation import gettext as _

from vanphong.core.errors import PermissionDenied
from vanphong.org.models import Role


def is_ca_operator(person) -> bool:
    """CA operators only: issuing and revoking is a duty of its own, not part of administration."""
    return bool(person and person.is_authenticated and person.is_active and person.has_role(Role.Code.CA_OPERATOR))


def require_ca_operator(person) -> None:
    """`person` None is the trusted command line, run by the server's operator (as in org.services)."""
    if person is not None and not is_ca_operator(person):
        raise PermissionDenied(_("Only a CA operator may do this."))
