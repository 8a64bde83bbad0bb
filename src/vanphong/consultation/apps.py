from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationConfig(AppConfig):
    name = "vanphong.consultation"
    label = "consultation"
    verbose_name = _("Consultation on drafts")

    def ready(self):
        from vanphong.consultation import tasks
        from vanphong.core.worker import worker_started

        # Each worker makes sure the reminder scan is scheduled.
        worker_started.connect(tasks.on_worker_started, dispatch_uid="consultation-reminders")
        from vanphong.consultation import exchange_views
        from vanphong.documents import hooks

        # An incoming document that answers an invitation letter offers to be entered as the agency's answer.
        if exchange_views.document_section not in hooks.detail_sections:
            hooks.detail_sections.append(exchange_views.document_section)
