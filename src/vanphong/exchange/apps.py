from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "vanphong.exchange"
    label = "exchange"
    verbose_name = _("Document exchange")

    def ready(self):
        from vanphong.core.worker import worker_started
        from vanphong.documents import hooks
        from vanphong.exchange import sending, tasks, views

        hooks.document_issuing.connect(sending.on_document_issuing, dispatch_uid="exchange-outbox")
        worker_started.connect(tasks.on_worker_started, dispatch_uid="exchange-schedule")
        if views.document_section not in hooks.detail_sections:
            hooks.detail_sections.append(views.document_section)
        from vanphong.exchange import reply_views

        if reply_views.document_section not in hooks.detail_sections:
            hooks.detail_sections.append(reply_views.document_section)
        from vanphong.core import health as core_health
        from vanphong.exchange import health

        if health.check_exchange not in core_health.app_checks:
            core_health.app_checks.append(health.check_exchange)
