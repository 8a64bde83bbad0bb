from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SigningConfig(AppConfig):
    name = "vanphong.signing"
    label = "signing"
    verbose_name = _("Signatures")

    def ready(self):
        from vanphong.documents import hooks
        from vanphong.signing import document_services, document_views

        hooks.attachments_stored.connect(document_services.queue_verifications, dispatch_uid="signing-verify-attachments")
        if document_services.check_issuable not in hooks.issue_checks:
            hooks.issue_checks.append(document_services.check_issuable)
        if document_views.document_section not in hooks.detail_sections:
            hooks.detail_sections.append(document_views.document_section)
