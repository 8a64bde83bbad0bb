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
