from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PkiConfig(AppConfig):
    name = "vanphong.pki"
    label = "pki"
    verbose_name = _("Certificate authority")

    def ready(self):
        from vanphong.core import health
        from vanphong.core.worker import worker_started
        from vanphong.pki import tasks
        from vanphong.pki.health import check_ca_keys

        if check_ca_keys not in health.app_checks:
            health.app_checks.append(check_ca_keys)  # `vanphong check`: the CA keys, in an HSM too

        # Each worker makes sure the CRL and service-certificate refresh is scheduled.
        worker_started.connect(tasks.on_worker_started, dispatch_uid="pki-refresh-schedule")
