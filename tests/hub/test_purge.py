"""The purge of acknowledged packages: rows acknowledged longer ago than the limit go; recent ones (the sent list
shows them) and those not yet acknowledged (the network's health counts them) stay; bad input changes nothing;
each run is audited; the worker runs it every day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from vanphong import cli
from vanphong.core.errors import PermissionDenied, ValidationError
from vanphong.core.models import AuditRecord
from vanphong.hub import network, purge, services, tasks
from vanphong.hub.identity import NodeIdentity
from vanphong.hub.models import Package

pytestmark = pytest.mark.django_db


def package(sender, recipient, name: str, *, acknowledged_days_ago=None, received_days_ago=0):
    made, _created = services.accept_package(NodeIdentity(sender, "ab"), message_type="edoc", doc_id=name,
                                             recipient_code=recipient.agency.code, data=name.encode())
    now = timezone.now()
    Package.objects.filter(pk=made.pk).update(
        received_at=now - dt.timedelta(days=received_days_ago),
        acknowledged_at=now - dt.timedelta(days=acknowledged_days_ago) if acknowledged_days_ago is not None else None,
        data=b"" if acknowledged_days_ago is not None else name.encode())
    return made.pk


@pytest.fixture
def packages(member_a, member_b):
    return {
        "old": package(member_a, member_b, "old", acknowledged_days_ago=100, received_days_ago=101),
        "older": package(member_b, member_a, "older", acknowledged_days_ago=400, received_days_ago=400),
        "recent": package(member_a, member_b, "recent", acknowledged_days_ago=10, received_days_ago=10),
        "waiting": package(member_a, member_b, "waiting", received_days_ago=200),  # never acknowledged: kept whatever its age
    }


def remaining():
    return set(Package.objects.values_list("doc_id", flat=True))


def test_rows_acknowledged_before_the_limit_go_and_recent_and_unacknowledged_stay(packages, member_a, member_b):
    assert purge.purge_acknowledged(None, older_than_days=90) == 2
    assert remaining() == {"recent", "waiting"}
    record = AuditRecord.objects.get(action="hub.packages.purged")
    assert record.data["deleted"] == 2 and record.data["older_than_days"] == 90
    # What the sender's list and the network's health read is still there.
    from vanphong.hub.selectors import sent_packages

    assert [p.doc_id for p in sent_packages(NodeIdentity(member_a, "ab"))] == ["recent", "waiting"]
    assert {n.code: n.waiting_at_hub for n in network.measure_network().nodes}[member_b.agency.code] == 1
    assert purge.purge_acknowledged(None, older_than_days=90) == 0  # again: nothing more


def test_bad_input_is_refused_and_changes_nothing(packages, admin_a, operator):
    for days in (0, -5, "30", True, 10**6):
        with pytest.raises(ValidationError):
            purge.purge_acknowledged(None, older_than_days=days)
    with pytest.raises(PermissionDenied):
        purge.purge_acknowledged(admin_a, older_than_days=90)
    assert len(remaining()) == 4 and not AuditRecord.objects.filter(action="hub.packages.purged").exists()
    assert purge.purge_acknowledged(operator, older_than_days=5) == 3  # an operator may; all but the waiting one
    assert remaining() == {"waiting"}


def test_the_command_takes_its_default_from_the_setting(packages, settings, capsys):
    settings.VANPHONG_HUB_PURGE_DAYS = 200
    assert cli.main(["hub", "purge"]) == 0
    assert "Purged 1 package acknowledged more than 200 days ago" in capsys.readouterr().out
    assert remaining() == {"old", "recent", "waiting"}
    assert cli.main(["hub", "purge", "--older-than", "0"]) == 2
    assert "Enter a number of days from 1 to 36500." in capsys.readouterr().err
    assert cli.main(["hub", "purge", "--older-than", "30"]) == 0
    assert remaining() == {"recent", "waiting"}


def test_the_worker_purges_every_day(packages, settings):
    settings.VANPHONG_HUB_PURGE_DAYS = 90
    assert tasks.purge_acknowledged_packages.call() == 2
    (following,) = DBTaskResult.objects.filter(task_path="vanphong.hub.tasks.purge_acknowledged_packages", status="READY")
    assert following.run_after > timezone.now() + dt.timedelta(hours=23)
