from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    name = "vanphong.workflow"
    label = "workflow"
    verbose_name = _("Handling workflow")

    def ready(self):
        from vanphong.documents import hooks
        from vanphong.workflow import approval, approval_selectors, approval_views, events, handling_views

        hooks.document_registered.connect(events.on_document_registered, dispatch_uid="workflow-status-03")
        if handling_views.document_section not in hooks.detail_sections:
            hooks.detail_sections.append(handling_views.document_section)
        for hook, check in ((hooks.sign_checks, approval.sign_check), (hooks.issue_checks, approval.issue_check),
                            (hooks.detail_sections, approval_views.document_section),
                            (hooks.main_file_finders, approval_selectors.latest_version_main_file)):
            if check not in hook:
                hook.append(check)
