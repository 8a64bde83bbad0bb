"""Forms of the CA operator's pages. They parse input only: the services decide what is allowed
(profiles, holders, keys, CSRs), so the web, the API and `vanphong ca` refuse the same things."""

from __future__ import annotations

from pathlib import PureWindowsPath

from django import forms
from django.utils.translation import gettext_lazy as _

from vanphong.pki import profiles, services
from vanphong.pki.batch import CSR_SUFFIXES, CsrFile
from vanphong.pki.csr import MAX_CSR_BYTES
from vanphong.pki.models import Certificate, RevocationReason

# Profiles an operator issues from the pages; the OCSP signers and the time-stamping certificate
# are the system's own, issued and renewed by it.
ISSUABLE_PROFILES = ("official", "agency-seal", "tls-server", "tls-client")
GENERATE, CSR = "generate", "csr"
EXPIRY_CHOICES = (("", _("Any time")), ("30", _("Within 30 days")), ("90", _("Within 90 days")))


class CertificateFilterForm(forms.Form):
    q = forms.CharField(label=_("Subject or serial number"), required=False, max_length=200)
    profile = forms.ChoiceField(label=_("Profile"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All statuses")), *Certificate.Status.choices])
    expiring = forms.TypedChoiceField(label=_("Expiring"), required=False, choices=EXPIRY_CHOICES, coerce=int, empty_value=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profile"].choices = [("", _("All profiles")), *profiles.choices()]


class KeyForm(forms.Form):
    """Where the key comes from: the holder's CSR, or a key generated here and handed over once as
    a PKCS#12 file under a passphrase that is never stored."""

    key_source = forms.ChoiceField(label=_("Key"), widget=forms.RadioSelect, initial=GENERATE, choices=[
        (GENERATE, _("Generate the key here and download it as a PKCS#12 file (.p12)")),
        (CSR, _("The holder made the key: upload their certificate signing request (CSR)")),
    ])
    csr_file = forms.FileField(label=_("Certificate signing request (PEM or DER)"), required=False)
    passphrase = forms.CharField(label=_("Passphrase for the .p12 file"), required=False, strip=False,
                                 widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                 help_text=_("At least %(count)d characters. Give it to the holder separately from the file; "
                                             "the system does not keep it.") % {"count": services.MIN_PASSPHRASE_LENGTH})
    passphrase_again = forms.CharField(label=_("Passphrase again"), required=False, strip=False,
                                       widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("key_source") == CSR:
            upload = data.get("csr_file")
            if upload is None:
                self.add_error("csr_file", _("Choose the CSR file."))
            elif upload.size > MAX_CSR_BYTES:
                self.add_error("csr_file", _("This file is too large to be a certificate signing request."))
            else:
                data["csr_data"] = upload.read()
        elif data.get("key_source") == GENERATE:
            passphrase = data.get("passphrase") or ""
            if len(passphrase) < services.MIN_PASSPHRASE_LENGTH:
                self.add_error("passphrase", _("The passphrase that protects the key must have at least %(count)d characters.")
                               % {"count": services.MIN_PASSPHRASE_LENGTH})
            elif passphrase != data.get("passphrase_again"):
                self.add_error("passphrase_again", _("The two passphrases differ."))
        return data


class IssueForm(KeyForm):
    profile = forms.ChoiceField(label=_("Profile"))
    holder_person = forms.ModelChoiceField(label=_("Official"), queryset=None, required=False,
                                           help_text=_("For an official's certificate."))
    holder_agency = forms.ModelChoiceField(label=_("Agency"), queryset=None, required=False,
                                           help_text=_("For an agency seal; optional for a node's TLS certificate."))
    host_name = forms.CharField(label=_("Host name"), required=False, max_length=253,
                                help_text=_("For a node's TLS certificate, e.g. vanphong.bacninh.gov.vn. "
                                            "With a CSR, left empty: the names the CSR asks for."))
    field_order = ["profile", "holder_person", "holder_agency", "host_name", "key_source", "csr_file", "passphrase", "passphrase_again"]

    def __init__(self, *args, people, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profile"].choices = [(code, profiles.PROFILES[code].label) for code in ISSUABLE_PROFILES]
        self.fields["holder_person"].queryset = people
        self.fields["holder_person"].empty_label = self.fields["holder_agency"].empty_label = _("— choose —")
        self.fields["holder_person"].label_from_instance = lambda p: f"{p.full_name} — {p.agency.short_name} ({p.username})"
        self.fields["holder_agency"].queryset = agencies
        self.fields["holder_agency"].label_from_instance = lambda a: f"{a.name} ({a.code})"

    def clean(self):
        data = super().clean()
        profile = profiles.PROFILES.get(data.get("profile", ""))
        if profile is None:
            return data
        # Only the holder the profile names is passed on: a person chosen and then a switch to the
        # seal profile must not certify the person.
        if profile.holder != profiles.PERSON:
            data["holder_person"] = None
        if profile.holder == profiles.PERSON:
            data["holder_agency"] = None
            if data.get("holder_person") is None:
                self.add_error("holder_person", _("Choose the official the certificate belongs to."))
        if profile.holder == profiles.AGENCY and data.get("holder_agency") is None:
            self.add_error("holder_agency", _("Choose the agency whose seal this is."))
        host = (data.get("host_name") or "").strip()
        data["host_name"] = host if profile.code.startswith("tls-") else ""
        if profile.code.startswith("tls-") and not host and data.get("key_source") == GENERATE:
            self.add_error("host_name", _("Give the node's host name."))
        return data


class RevokeForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason (RFC 5280)"), choices=RevocationReason.choices)
    confirm = forms.BooleanField(label=_("I understand that revocation is final: the certificate can never be used again."),
                                 error_messages={"required": _("Tick the box to confirm the revocation.")})


class RenewForm(KeyForm):
    key_source = forms.ChoiceField(label=_("Key"), widget=forms.RadioSelect, initial="same", choices=[
        ("same", _("Certify the same key again")),
        (GENERATE, _("Generate a new key here and download it as a PKCS#12 file (.p12)")),
        (CSR, _("The holder made a new key: upload their certificate signing request (CSR)")),
    ])


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input. Each file is checked by pki.batch and the services, whose errors name it."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        uploads = [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]
        if not uploads:
            return super().clean(None, initial)  # "required"
        services.check_batch_size(len(uploads))  # counted before anything is read: thousands of files are refused at once
        return uploads


class BatchIssueForm(forms.Form):
    """The profile and the CSR files of a batch; pki.batch finds each file's holder from its name."""

    profile = forms.ChoiceField(label=_("Profile"))
    csr_files = MultipleFileField(
        label=_("CSR files"),
        error_messages={"required": _("Choose the CSR files to certify.")},
        help_text=_("Choose every file at once (Ctrl+A in the folder selects them all)."),
        # Django points aria-describedby at <field id>_helptext: pki/issue_batch.html gives the help that id, as includes/field.html does.
        widget=MultipleFileInput(attrs={"accept": ",".join(CSR_SUFFIXES)}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profile"].choices = [(code, profiles.PROFILES[code].label) for code in ISSUABLE_PROFILES]

    def clean_csr_files(self) -> list[CsrFile]:
        # A file larger than a CSR can be is read no further than its limit: pki.batch then names it
        # among the batch's other bad files, and a large upload costs no memory.
        return [CsrFile(PureWindowsPath(upload.name).name, upload.read(MAX_CSR_BYTES + 1))
                for upload in self.cleaned_data["csr_files"]]
