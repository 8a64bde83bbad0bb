"""What the hub keeps: the agencies it serves, the packages waiting for them, and what their nodes report.

A package is opaque bytes: the hub routes on the sender its client certificate proves and the
recipient named in the request's headers, so an encrypted (Mật) package passes without being read.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class MessageType(models.TextChoices):
    EDOC = "edoc", _("Document")
    STATUS = "status", _("Status")


class Member(models.Model):
    """An agency the hub serves, and its entry in the directory the hub publishes to nodes."""

    agency = models.OneToOneField("org.Agency", on_delete=models.PROTECT, related_name="hub_member", verbose_name=_("agency"))
    # Where the agency's node accepts sendEdoc directly, for nodes that may reach it without the hub.
    endpoint = models.URLField(_("node address"), blank=True)
    is_active = models.BooleanField(_("served"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["agency__code"]
        verbose_name = _("hub member")
        verbose_name_plural = _("hub members")

    def __str__(self):
        return f"{self.agency.code} {self.agency.name}"


class Package(models.Model):
    """One delivery: one sender, one recipient, the bytes as they came."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    message_type = models.CharField(_("kind"), max_length=6, choices=MessageType.choices)
    sender = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="sent_packages", verbose_name=_("sender"))
    recipient = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="received_packages", verbose_name=_("recipient"))
    doc_id = models.CharField(_("document ID"), max_length=255)  # the sender's DocumentId, from the docId header
    # Emptied once the recipient acknowledges: the hub forwards, it does not archive.
    data = models.BinaryField(_("package"))
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    sent_by_certificate = models.CharField(max_length=40)  # the serial of the client certificate that sent it
    fetch_count = models.PositiveIntegerField(default=0)
    first_fetched_at = models.DateTimeField(null=True, blank=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    last_fetched_by_certificate = models.CharField(max_length=40, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    class Meta:
        ordering = ["received_at"]
        constraints = [
            # A node that resends after a lost reply gets the first delivery's id back: nothing is doubled.
            models.UniqueConstraint(fields=["sender", "recipient", "message_type", "sha256"], name="hub_package_once"),
        ]
        indexes = [
            models.Index(fields=["recipient", "acknowledged_at", "received_at"], name="hub_package_waiting"),
            models.Index(fields=["sender", "received_at"], name="hub_package_sent"),
        ]


class NodeReport(models.Model):
    """The latest health report of a member's node (one row per member, replaced at each report)."""

    member = models.OneToOneField(Member, on_delete=models.CASCADE, related_name="report")
    reported_at = models.DateTimeField(_("last contact"))
    outbox_depth = models.PositiveIntegerField(_("packages waiting to leave"), default=0)
    inbox_depth = models.PositiveIntegerField(_("packages waiting to be registered"), default=0)
    oldest_undelivered_at = models.DateTimeField(_("oldest undelivered package"), null=True, blank=True)
    # [{"serial", "profile", "not_after"}] of the certificates the node relies on
    certificates = models.JSONField(default=list)
    node_version = models.CharField(max_length=40, blank=True)


class NodeAlert(models.Model):
    """One episode of trouble at a member's node (hub.alerts): opened when the scan first finds it, resolved when a
    scan no longer does. At most one open episode per node and problem; the instance's operators are told of both
    ends once, keyed by the episode's start."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="alerts")
    problem = models.CharField(_("problem"), max_length=30)  # hub.network's finding codes
    level = models.CharField(max_length=10)  # "problem" or "warning"
    since = models.DateTimeField(null=True, blank=True)  # when what it names began (the last report, the expiry …)
    started_at = models.DateTimeField(_("found at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            # Two scans at once open one episode: the second's insert is ignored and it reads the first's row.
            models.UniqueConstraint(fields=["member", "problem"], condition=models.Q(resolved_at__isnull=True), name="hub_alert_one_open"),
        ]
