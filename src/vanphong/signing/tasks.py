"""Background work of signing, run by `vanphong worker`: the verification report of each PDF stored."""

from django_tasks import task

from vanphong.signing import document_services


@task()
def verify_attachment(attachment_id: int) -> None:
    document_services.run_verification(attachment_id)
