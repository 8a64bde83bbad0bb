"""A new version moves the comments under a lock on the consultation: an answer sent meanwhile waits for it, and is then
checked against the new version's units, so that none lands on the units of the version replaced."""

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import translation

from tests.consultation.drafts import DRAFT, docx_bytes, upload
from vanphong.consultation import services
from vanphong.consultation.models import Answer, Node


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer and no row locks: PostgreSQL decides this")
@pytest.mark.django_db(transaction=True)
def test_an_answer_waits_for_a_new_version_and_is_checked_against_it(consultation, invited, organiser, drafter):
    article3 = Node.objects.get(version__number=1, key="article:3")
    second = DRAFT.replace("Điều 3. Thời hạn tiếp nhận", "Điều 3. Thời hạn tiếp nhận văn bản")
    version_saved, outcome = threading.Event(), []

    def answering():
        try:
            version_saved.wait(10)
            translation.activate("en")  # this thread's own language
            services.answer_on_web(organiser, invited["org"], comments=[(article3.pk, "Góp ý Điều 3")])
            outcome.append("saved")
        except ValidationError as exc:
            outcome.append(exc.messages[0])
        finally:
            connection.close()

    thread = threading.Thread(target=answering)
    thread.start()
    with transaction.atomic():
        services.add_version(drafter, consultation, upload=upload(docx_bytes(second), "v2.docx"))
        version_saved.set()
        time.sleep(0.5)
        assert outcome == []  # still waiting for the version's transaction
    thread.join(20)
    assert outcome == ["A comment names a part that is not in the current version of the draft. Reload the page and try again."]
    assert not Answer.objects.exists()
