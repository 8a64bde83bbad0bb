from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HubConfig(AppConfig):
    name = "vanphong.hub"
    label = "hub"
    verbose_name = _("Exchange hub")

    def ready(self):
        # The exchange finds its transports by name: "hub" and "https" are ours.
        from vanphong.exchange import hub_client

        hub_client.register()
        # A node with a hub reports to it and takes its directory from the worker.
        from vanphong.core.worker import worker_started
        from vanphong.hub import tasks

        worker_started.connect(tasks.on_worker_started, dispatch_uid="hub-node-schedule")
