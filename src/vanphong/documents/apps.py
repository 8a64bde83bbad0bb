from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "vanphong.documents"
    label = "documents"
    verbose_name = _("Documents")

    def ready(self):
        from django.db.models.signals import post_migrate

        from vanphong.documents import hooks, tasks

        hooks.ocr_requested.connect(tasks.queue_recognition, dispatch_uid="documents-ocr-queue")

        # A later migration that rebuilds documents_document on SQLite drops the FTS triggers.
        post_migrate.connect(_repair_search_index, sender=self, dispatch_uid="documents-search-index")


def _repair_search_index(sender, using="default", **kwargs):
    from django.db import connections

    from vanphong.documents.search import ensure_search_index

    if "documents_document" in connections[using].introspection.table_names():  # not after `migrate documents zero`
        ensure_search_index(using=using)
