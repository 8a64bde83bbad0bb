from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanphong.core.clearance import Clearance
from vanphong.core.text import fold, name_sort_key
from vanphong.org.codes import validate_agency_code


class NotationScheme(models.TextChoices):
    STATE = "state", _("State (Decree 30/2020/NĐ-CP): 123/QĐ-UBND")
    PARTY = "party", _("Party (Guidance 36-HD/VPTW): 127-QĐ/TW")


class Agency(models.Model):
    """An agency (cơ quan). Hosted agencies have their records on this instance; the others are
    entries of the exchange directory."""

    code = models.CharField(_("agency code"), max_length=13, unique=True, validators=[validate_agency_code])
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=60)
    notation_code = models.CharField(
        _("notation code"), max_length=30, help_text=_("The agency's part of a document notation, e.g. UBND or TW.")
    )
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent agency"))
    notation_scheme = models.CharField(_("notation scheme"), max_length=10, choices=NotationScheme.choices, default=NotationScheme.STATE)
    hosted = models.BooleanField(_("hosted on this instance"), default=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("telephone"), max_length=40, blank=True)
    website = models.CharField(_("website"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self):
        return self.name


class NodeCertificate(models.Model):
    """A TLS client certificate of another agency's node, as the exchange hub's directory lists it.

    A node trusts a peer node that calls it directly when its certificate is byte for byte one of
    these (vanphong.hub.identity). The directory sync replaces an agency's rows each time: a
    certificate the hub no longer lists (revoked, expired) is gone after the next sync."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="node_certificates", verbose_name=_("agency"))
    sha256 = models.CharField(_("SHA-256 fingerprint"), max_length=64, db_index=True)  # of the DER bytes
    serial = models.CharField(_("serial number"), max_length=40)
    certificate_der = models.BinaryField(_("certificate"))
    not_before = models.DateTimeField(_("valid from"))
    not_after = models.DateTimeField(_("valid until"))
    synced_at = models.DateTimeField(_("taken from the hub at"), auto_now_add=True)

    class Meta:
        ordering = ["agency", "not_after"]
        constraints = [models.UniqueConstraint(fields=["agency", "sha256"], name="org_node_certificate_once")]
        verbose_name = _("node certificate")
        verbose_name_plural = _("node certificates")

    def __str__(self):
        return f"{self.agency.code} {self.serial}"


class Unit(models.Model):
    """A unit (đơn vị, phòng, ban) in an agency's tree. `path` holds the ancestors' ids
    ("/3/17/42/") so that a subtree is one indexed prefix query."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="units", verbose_name=_("agency"))
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent unit"))
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(
        _("short name"), max_length=30, blank=True, help_text=_("Used in notations of công văn, e.g. VP in 45/UBND-VP.")
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    path = models.CharField(max_length=255, db_index=True, editable=False, default="/")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["path", "sort_order", "name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(fields=["agency", "parent", "name"], name="unit_unique_name_under_parent"),
        ]

    def __str__(self):
        return self.name


class Role(models.Model):
    """Fixed set of roles; rows are created by a migration."""

    class Code(models.TextChoices):
        CLERK = "clerk", _("Clerk")
        LEADER = "leader", _("Leader")
        SPECIALIST = "specialist", _("Specialist")
        PERSONNEL = "personnel", _("Personnel officer")
        ADMIN = "admin", _("Administrator")
        CA_OPERATOR = "ca_operator", _("CA operator")

    code = models.CharField(max_length=20, primary_key=True, choices=Code.choices)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return str(self.Code(self.code).label)


# Roles whose holders must use a second factor: administrators, CA operators and those who sign.
SECOND_FACTOR_ROLES = {Role.Code.ADMIN, Role.Code.CA_OPERATOR, Role.Code.LEADER}


class PersonManager(BaseUserManager):
    def get_by_natural_key(self, username):
        return self.get(username__iexact=username)


class Person(AbstractBaseUser, PermissionsMixin):
    """A person who works in an agency, and their account."""

    username = models.CharField(_("username"), max_length=60, unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("telephone"), max_length=40, blank=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="people", verbose_name=_("agency"))
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="people", verbose_name=_("unit"))
    position = models.CharField(_("position"), max_length=150, blank=True)
    roles = models.ManyToManyField(Role, blank=True, related_name="people", verbose_name=_("roles"))
    clearance = models.PositiveSmallIntegerField(_("clearance"), choices=Clearance.choices, default=Clearance.NONE)
    is_active = models.BooleanField(_("active"), default=True)
    # Django admin access: instance operators only.
    is_staff = models.BooleanField(default=False)
    must_change_password = models.BooleanField(default=False)
    totp_secret = models.CharField(max_length=64, blank=True)
    totp_confirmed = models.BooleanField(default=False)
    totp_last_step = models.BigIntegerField(default=0)
    date_joined = models.DateTimeField(default=timezone.now)
    # Folded name and username ("nguyen van an nvan") for diacritic-insensitive lookups.
    search_text = models.CharField(max_length=255, db_index=True, editable=False, default="")
    # Given name first, in Vietnamese letter order (core.text.name_sort_key).
    sort_name = models.CharField(max_length=700, db_index=True, editable=False, default="")

    objects = PersonManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["sort_name", "pk"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [models.UniqueConstraint(Lower("username"), name="person_username_ci_unique")]

    def __str__(self):
        return self.full_name

    DERIVED_FIELDS = ("search_text", "sort_name")

    def set_derived_fields(self) -> None:
        """Columns computed from the name. save() calls this; bulk writes must call it themselves."""
        self.search_text = fold(f"{self.full_name} {self.username}")[:255]
        self.sort_name = name_sort_key(self.full_name)[:700]

    def save(self, *args, **kwargs):
        self.set_derived_fields()
        if kwargs.get("update_fields") is not None and "full_name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], *self.DERIVED_FIELDS}
        super().save(*args, **kwargs)

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.rsplit(" ", 1)[-1]

    def role_codes(self) -> set[str]:
        if not hasattr(self, "_role_codes"):
            self._role_codes = set(self.roles.values_list("code", flat=True))
        return self._role_codes

    def has_role(self, code: str) -> bool:
        return code in self.role_codes()

    @property
    def needs_second_factor(self) -> bool:
        return self.is_superuser or bool(self.role_codes() & {str(c) for c in SECOND_FACTOR_ROLES})
