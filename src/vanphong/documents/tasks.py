"""Background work of the documents app, run by `vanphong worker` (django-tasks, database backend)."""

from django_tasks import task

from vanphong.documents import ocr_services


@task()
def recognise(job_id: int) -> None:
    ocr_services.run_job(job_id)


def queue_recognition(sender, job, **kwargs) -> None:
    recognise.enqueue(job.pk)
