"""Readable names for audit actions, in the user's language."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "accounts.signin.succeeded": _("Signed in"),
    "accounts.signin.failed": _("Failed sign-in"),
    "accounts.signin.locked": _("Account locked after failed sign-ins"),
    "accounts.signin.refused_locked": _("Sign-in refused: account locked"),
    "accounts.signin.unlocked": _("Account unlocked"),
    "accounts.signout": _("Signed out"),
    "accounts.totp.enrolled": _("Second factor set up"),
    "accounts.totp.reset": _("Second factor reset"),
    "accounts.password.changed": _("Password changed"),
    "accounts.password.reset": _("Password reset by an administrator"),
    "accounts.totp.verified": _("Second factor confirmed"),
    "accounts.token.created": _("API token created"),
    "accounts.token.revoked": _("API token revoked"),
    "org.agency.created": _("Agency created"),
    "org.agency.updated": _("Agency updated"),
    "org.unit.created": _("Unit created"),
    "org.unit.updated": _("Unit updated"),
    "org.person.created": _("Person created"),
    "org.person.updated": _("Person updated"),
    "org.import.completed": _("Organisation imported"),
    "core.demo.loaded": _("Demo network loaded"),
    "workflow.calendar.day_added": _("Day added to the working calendar"),
    "workflow.calendar.day_removed": _("Day removed from the working calendar"),
    "workflow.deadline_rule.set": _("Default deadline set"),
    "workflow.deadline_rule.removed": _("Default deadline removed"),
    "workflow.assignment.created": _("Document assigned"),
    "workflow.assignment.completed": _("Handling completed"),
    "workflow.task.passed_down": _("Task passed down"),
    "workflow.task.returned": _("Task returned"),
    "workflow.task.note_added": _("Progress note added"),
    "workflow.task.read": _("Document for information read"),
    "workflow.extension.requested": _("More time asked for"),
    "workflow.extension.decided": _("Request for more time decided"),
    "notifications.preferences.changed": _("Notification settings changed"),
    "notifications.policy.changed": _("Reminder settings changed"),
    "pki.ca.initialised": _("Certificate authority initialised"),
    "pki.certificate.issued": _("Certificate issued"),
    "pki.certificate.renewed": _("Certificate renewed"),
    "pki.certificate.revoked": _("Certificate revoked"),
    "pki.crl.published": _("CRL published"),
    "signing.trusted_root.added": _("Trusted root certificate added"),
    "signing.trusted_root.removed": _("Trusted root certificate removed"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))
