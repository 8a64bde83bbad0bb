"""The navigation: only modules that exist, only those the person may use."""

from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from vanphong.org.models import Role
from vanphong.org.permissions import can_manage_agency, can_manage_directory, is_instance_operator


def navigation(request):
    from vanphong.accounts.services import session_is_complete

    person = getattr(request, "user", None)
    if person is None or not person.is_authenticated or not session_is_complete(request):
        return {"nav_items": []}  # a pending password change or second factor comes first
    from vanphong.documents.permissions import can_manage_registers
    from vanphong.pki.permissions import is_ca_operator
    from vanphong.signing.permissions import can_manage_trusted_roots

    items = [("core:home", _("Home"), "home"), ("workflow:work", _("My work"), "work")]
    from vanphong.workflow.statistics import oversees_units

    if oversees_units(person):
        items.append(("workflow:dashboard", _("Work of my units"), "units"))
    items += [("documents:incoming", _("Incoming documents"), "incoming"), ("documents:outgoing", _("Outgoing documents"), "outgoing"),
              ("documents:search", _("Search"), "search")]
    items.append(("consultation:list", _("Comments on drafts"), "consultation"))
    from vanphong.documents.permissions import is_clerk

    if is_clerk(person, person.agency):
        items.append(("exchange:received", _("Received through the exchange"), "exchange"))
    if can_manage_registers(person, person.agency):
        items.append(("documents:registers", _("Registers"), "registers"))
    items.append(("org:directory", _("Agency directory"), "directory"))
    if can_manage_agency(person, person.agency):
        items += [
            ("org:units", _("Units"), "units"),
            ("org:people", _("People"), "people"),
            ("org:import", _("Import"), "import"),
            ("workflow:calendar", _("Calendar and deadlines"), "calendar"),
            ("core:audit", _("Audit log"), "audit"),
        ]
    elif person.is_superuser or person.has_role(Role.Code.PERSONNEL):
        items.append(("org:people", _("People"), "people"))
    if can_manage_directory(person) and not can_manage_agency(person, person.agency):
        items.append(("core:audit", _("Audit log"), "audit"))
    if is_instance_operator(person):
        items.append(("hub:network", _("Exchange network"), "network"))
    if is_ca_operator(person):
        items.append(("pki:authorities", _("Certificate authority"), "pki"))
    if can_manage_trusted_roots(person):
        items.append(("trust:roots", _("Trusted root certificates"), "trusted-roots"))
    items.append(("pki:mine", _("My certificates"), "my-certificates"))
    items.append(("accounts:profile", _("My account"), "account"))
    path = request.path
    nav = []
    for name, label, key in items:
        url = reverse(name)
        active = path == url if url == "/" else path.startswith(url)
        nav.append({"url": url, "label": label, "key": key, "active": active})
    from vanphong.workflow.handling_views import work_counts

    # Lazy: one query, on the pages that render the navigation, shared with the "My work" page.
    nav[1]["counts"] = SimpleLazyObject(lambda: work_counts(request))
    for item in nav:
        if item["key"] == "network":  # the nodes with an open problem alert (hub.alerts): one small query
            from vanphong.hub.alerts import nodes_in_trouble

            item["problems"] = SimpleLazyObject(nodes_in_trouble)
    return {"nav_items": nav}
