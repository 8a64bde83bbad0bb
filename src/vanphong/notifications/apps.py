from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "vanphong.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from vanphong.core import health as core_health
        from vanphong.core.worker import worker_started
        from vanphong.notifications import health, receivers, tasks
        from vanphong.workflow import hooks

        hooks.tasks_given.connect(receivers.on_tasks_given, dispatch_uid="notifications-tasks-given")
        hooks.task_returned.connect(receivers.on_task_returned, dispatch_uid="notifications-task-returned")
        hooks.extension_requested.connect(receivers.on_extension_requested, dispatch_uid="notifications-extension-requested")
        hooks.extension_decided.connect(receivers.on_extension_decided, dispatch_uid="notifications-extension-decided")
        hooks.approval_awaiting.connect(receivers.on_approval_awaiting, dispatch_uid="notifications-approval-awaiting")
        hooks.handling_ended.connect(receivers.on_handling_ended, dispatch_uid="notifications-handling-ended")
        user_logged_in.connect(receivers.on_signed_in, dispatch_uid="notifications-language")
        # Each worker makes sure the reminder scan and the e-mail delivery are scheduled.
        worker_started.connect(tasks.on_worker_started, dispatch_uid="notifications-schedule")
        from vanphong.exchange import hooks as exchange_hooks

        exchange_hooks.package_received.connect(receivers.on_package_received, dispatch_uid="notifications-package-received")
        if health.check_email not in core_health.app_checks:
            core_health.app_checks.append(health.check_email)
