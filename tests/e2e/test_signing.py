"""Signing in the browser: the official signs a draft, the clerk numbers and seals it, and the page
shows two valid signatures; the downloaded PDF passes pdfsig and openssl cms; a copy with one byte
changed fails both and shows invalid when registered as an incoming document. Then the official's
certificate is revoked: what was signed before stays valid, a new signature is refused. Bad input
(an encrypted PDF, a draft without a file, a broken PDF, a signature from an unknown CA) is refused
or reported with a clear message and changes nothing."""

from __future__ import annotations

import re
import subprocess
import threading
import time

import pyotp
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, screenshot
from tests.factories import PASSWORD, make_person, make_unit
from tests.signing.conftest import decree_30_pdf, signature_parts, tamper
from vanphong.core import storage
from vanphong.documents import services as documents
from vanphong.documents.attachments import store
from vanphong.documents.models import Document
from vanphong.pki import services as pki
from vanphong.pki.models import CertificateAuthority
from vanphong.signing.models import AttachmentVerification, DocumentSignature


def run_worker():
    """The background worker, until the queue is empty. In a thread of its own: Playwright keeps an event loop
    running in this one, where pyHanko's validation (asyncio.run) cannot start another."""
    from django.db import connection

    def work():
        # db_worker's own Worker, without the command's signal handlers (the main thread's only).
        from django_tasks_db.management.commands.db_worker import Worker

        try:
            Worker(queue_names=["*"], interval=0.1, batch=True, backend_name="default", startup_delay=False, max_tasks=None,
                   worker_id="e2e", excluded_queue_names=[]).run()
        finally:
            connection.close()

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(timeout=120)


def nss_db(folder, root_pem: str):
    folder.mkdir()
    (folder / "root.pem").write_text(root_pem)
    subprocess.run(["certutil", "-N", "-d", f"sql:{folder}", "--empty-password"], check=True, capture_output=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{folder}", "-n", "root", "-t", "CT,C,C", "-i", str(folder / "root.pem")], check=True,
                   capture_output=True)
    return folder


def pdfsig_verdicts(path, nss) -> list[str]:
    """pdfsig's "Signature Validation" line per signature: it exits 0 even on a digest mismatch, so the report is read."""
    out = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", "-no-ocsp", str(path)], capture_output=True, text=True).stdout
    return re.findall(r"Signature Validation: (.*)", out)


def openssl_cms_ok(pdf: bytes, field: str, root_pem_path, tmp_path) -> bool:
    signature, content = signature_parts(pdf, field)
    (tmp_path / "sig.der").write_bytes(signature)
    (tmp_path / "content.bin").write_bytes(content)
    result = subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", str(tmp_path / "sig.der"), "-content",
                             str(tmp_path / "content.bin"), "-CAfile", str(root_pem_path), "-purpose", "any", "-out", "/dev/null"],
                            capture_output=True, text=True)
    return result.returncode == 0 and "Verification successful" in result.stderr


def click_and_accept(page, selector):
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(selector).click()
    page.wait_for_load_state()


@pytest.fixture
def people(agency_a):
    office = make_unit(agency_a, "Văn phòng Tỉnh ủy", "VP")
    ca_operator = make_person(agency_a, "chungthu.e2e", "Đặng Văn Chứng", roles=["ca_operator"])
    pki.init_ca(ca_operator, name="VănPhòng E2E", algorithm="p256")
    official = make_person(agency_a, "lanhdao.ky", "Nguyễn Thị Ánh Tuyết", roles=["leader"], unit=office, position="Phó Bí thư",
                           totp_secret=pyotp.random_base32(), totp_confirmed=True)
    certificate = pki.issue_with_held_key(ca_operator, profile="official", holder_person=official)
    pki.issue_with_held_key(ca_operator, profile="agency-seal", holder_agency=agency_a)
    clerk = make_person(agency_a, "vanthu.ky", "Nguyễn Thị Nhung", roles=["clerk"], unit=office)
    return {"official": official, "certificate": certificate, "clerk": clerk, "ca_operator": ca_operator}


def draft_with(clerk, official, subject, data: bytes | None, filename="Quyết định.pdf"):
    files = [store(SimpleUploadedFile(filename, data))] if data is not None else []
    return documents.create_outgoing_draft(clerk, doc_type="QĐ", subject=subject, signer_name=official.full_name,
                                           signer_position="Phó Bí thư", files=files)


def log_in(page, username, code=None):
    """Sign in whatever the page's language (the first sign-in switches to English half-way)."""
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    if code is not None:
        page.locator("main form input:not([type=hidden])").first.fill(code())
        page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/")


_spent_codes: dict[str, str] = {}


def _fresh_code(secret: str) -> str:
    """A code not used before: the sign-in refuses a code twice (replay), so a second sign-in within the same
    half-minute waits for the next code."""
    totp = pyotp.TOTP(secret)
    while (code := totp.now()) == _spent_codes.get(secret):
        time.sleep(0.5)
    _spent_codes[secret] = code
    return code


def sign_in_official(page, official):
    log_in(page, "lanhdao.ky", code=lambda: _fresh_code(official.totp_secret))


def sign_out(page):
    page.locator("form[action*='logout'] button").click()
    page.wait_for_url("**/accounts/login/**")


@pytest.mark.django_db(transaction=True)
def test_official_signs_clerk_numbers_and_seals_then_copies_and_revocation(page, agency_a, people, tmp_path):
    official, clerk = people["official"], people["clerk"]
    draft = draft_with(clerk, official, "Quyết định về việc thành lập Tổ công tác chuyển đổi số",
                       decree_30_pdf("về việc thành lập Tổ công tác chuyển đổi số"))

    # The official signs the draft from its page.
    sign_in_official(page, official)
    page.goto(f"/documents/{draft.pk}/")
    screenshot(page, "signing-draft-official-vi")
    page.locator("#sign-level").select_option("B-T")
    click_and_accept(page, f"form[action='/signing/documents/{draft.pk}/sign/'] button")
    expect(page.locator("ul.messages .msg-success")).to_be_visible()
    assert DocumentSignature.objects.filter(document=draft, kind="official").count() == 1
    run_worker()
    page.reload()
    screenshot(page, "signing-draft-signed-vi")
    sign_out(page)

    # The clerk numbers it, then applies the seal with the number and date.
    log_in(page, "vanthu.ky")
    page.goto(f"/documents/{draft.pk}/")
    click_and_accept(page, f"form[action='/documents/{draft.pk}/issue/'] button")
    draft.refresh_from_db()
    assert draft.status == "issued" and draft.reference.endswith("-QĐ/TU")
    click_and_accept(page, f"form[action='/signing/documents/{draft.pk}/seal/'] button")
    sealing = DocumentSignature.objects.get(document=draft, kind="seal")
    run_worker()
    page.reload()
    sealed_report = page.locator("article.verification", has=page.locator(f"#verify-{sealing.result_id}"))
    assert sealed_report.locator(".signature-report").count() == 2
    assert sealed_report.locator(".signature-report .badge.ok").count() == 2
    assert AttachmentVerification.objects.get(attachment=sealing.result).valid
    screenshot(page, "signing-sealed-vi")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert "2 valid signatures" in sealed_report.inner_text()
    screenshot(page, "signing-sealed-en")

    # The downloaded PDF passes pdfsig and openssl cms; a copy with one byte changed fails both.
    with page.expect_download() as download:
        page.locator(f"a[href='/documents/attachments/{sealing.result_id}/']").first.click()
    sealed_path = tmp_path / "sealed.pdf"
    download.value.save_as(sealed_path)
    sealed = sealed_path.read_bytes()
    assert sealed == storage.read_bytes(sealing.result.sha256)
    root_pem = CertificateAuthority.objects.get(kind="root").certificate_pem
    nss = nss_db(tmp_path / "nss", root_pem)
    # What a reader sees: the seal over the signature, the number and date in the heading.
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-singlefile", str(sealed_path), str(ARTIFACTS / "signing-sealed-pdf")], check=True)
    assert pdfsig_verdicts(sealed_path, nss) == ["Signature is Valid."] * 2
    assert all(openssl_cms_ok(sealed, field, nss / "root.pem", tmp_path) for field in ("Official-1", "Seal-1"))
    changed_path = tmp_path / "changed.pdf"
    changed_path.write_bytes(tamper(sealed))
    assert pdfsig_verdicts(changed_path, nss) == ["Digest Mismatch."] * 2
    assert not any(openssl_cms_ok(changed_path.read_bytes(), field, nss / "root.pem", tmp_path) for field in ("Official-1", "Seal-1"))

    # Registered as an incoming document, the changed copy shows as invalid.
    page.goto("/documents/incoming/new/")
    page.locator("#id_doc_type").select_option(value="QĐ")
    page.locator("#id_subject").fill("Bản sao bị sửa một byte")
    page.locator("#id_issuing_agency_name").fill("Tỉnh ủy Bắc Ninh")
    page.locator("#id_files").set_input_files(str(changed_path))
    page.locator("form[enctype] button[type=submit]").last.click()
    page.wait_for_url("**/documents/*/")
    run_worker()
    page.reload()
    incoming = Document.objects.get(subject="Bản sao bị sửa một byte")
    assert not AttachmentVerification.objects.get(attachment__document=incoming).valid
    expect(page.locator("#verification .badge.bad").first).to_be_visible()
    assert "The signed content was altered after signing" in page.locator("#verification").inner_text()
    screenshot(page, "signing-changed-copy-en")
    sign_out(page)

    # The official's certificate is revoked: the sealed document stays valid, a new draft cannot be signed.
    pki.revoke(people["ca_operator"], people["certificate"], reason="keyCompromise")
    later = draft_with(clerk, official, "Quyết định ký sau khi thu hồi", decree_30_pdf("ký sau khi thu hồi"))
    sign_in_official(page, official)
    page.goto(f"/documents/{draft.pk}/")
    page.locator(f"form[action='/signing/attachments/{sealing.result_id}/verify/'] button").click()
    page.wait_for_load_state()
    run_worker()
    page.reload()
    assert AttachmentVerification.objects.get(attachment=sealing.result).valid
    assert "after the time-stamped signing time" in page.locator("article.verification", has=page.locator(f"#verify-{sealing.result_id}")).inner_text()
    screenshot(page, "signing-revoked-later-en")
    page.goto(f"/documents/{later.pk}/")
    assert page.locator(f"form[action='/signing/documents/{later.pk}/sign/']").count() == 0  # no certificate to sign with
    panel = page.locator("#signing").inner_text()
    assert "no valid signing certificate" in panel or "chưa có chứng thư số ký còn hiệu lực" in panel, panel
    screenshot(page, "signing-no-certificate-en")
    assert not DocumentSignature.objects.filter(document=later).exists()


@pytest.mark.django_db(transaction=True)
def test_bad_input_is_refused_with_a_clear_message(page, agency_a, people, tmp_path):
    import io

    import pikepdf

    from tests.signing.conftest import outside_ca
    from vanphong.signing import appearance, credentials, pades

    official, clerk = people["official"], people["clerk"]
    buffer = io.BytesIO()
    with pikepdf.open(io.BytesIO(decree_30_pdf("mã hóa"))) as pdf:
        pdf.save(buffer, encryption=pikepdf.Encryption(owner="chu", user="", R=6))
    encrypted = draft_with(clerk, official, "Dự thảo có tệp mã hóa", buffer.getvalue())
    empty = draft_with(clerk, official, "Dự thảo chưa có tệp", None)

    sign_in_official(page, official)
    page.goto(f"/documents/{encrypted.pk}/")
    click_and_accept(page, f"form[action='/signing/documents/{encrypted.pk}/sign/'] button")
    assert "encrypted" in page.content() or "mã hóa" in page.content()
    screenshot(page, "signing-refused-encrypted-vi")
    page.goto(f"/documents/{empty.pk}/")
    click_and_accept(page, f"form[action='/signing/documents/{empty.pk}/sign/'] button")
    assert "no main file" in page.content() or "chưa có tệp chính" in page.content()
    screenshot(page, "signing-refused-no-file-vi")
    # An expired certificate: the official is told so, nothing is signed.
    import datetime as dt

    from django.utils import timezone

    expiring = draft_with(clerk, official, "Dự thảo ký khi chứng thư hết hạn", decree_30_pdf("chứng thư hết hạn"))
    type(people["certificate"]).objects.filter(pk=people["certificate"].pk).update(not_after=timezone.now() - dt.timedelta(days=1))
    page.goto(f"/documents/{expiring.pk}/")
    assert page.locator(f"form[action='/signing/documents/{expiring.pk}/sign/']").count() == 0
    panel = page.locator("#signing").inner_text()
    assert "no valid signing certificate" in panel or "chưa có chứng thư số ký còn hiệu lực" in panel, panel
    with page.expect_navigation():  # the POST a stale page or a script would send
        page.evaluate(f"""() => {{ const f = document.createElement('form'); f.method = 'post'; f.action = '/signing/documents/{expiring.pk}/sign/';
        const t = document.createElement('input'); t.type = 'hidden'; t.name = 'csrfmiddlewaretoken';
            t.value = document.querySelector('input[name=csrfmiddlewaretoken]').value; f.appendChild(t); document.body.appendChild(f);
            f.submit(); }}""")
    page.wait_for_load_state()
    refusal = page.locator("ul.messages .msg-error").inner_text()
    assert "Your signing certificate expired on" in refusal or "đã hết hạn ngày" in refusal, refusal
    screenshot(page, "signing-refused-expired-vi")
    assert not DocumentSignature.objects.exists() and encrypted.attachments.count() == 1 and empty.attachments.count() == 0
    assert expiring.attachments.count() == 1
    sign_out(page)

    # A PDF signed under an unknown CA, and a broken PDF, arrive as incoming documents.
    root, key, leaf = outside_ca()
    from vanphong.pki import keys

    foreign = credentials.Credentials(leaf, (root,), credentials.KeySigner(keys.from_private_key(key), leaf, [root]))
    data = decree_30_pdf("chữ ký của tổ chức lạ")
    result = {}

    def sign_elsewhere():  # pyHanko runs its own event loop: not in Playwright's thread
        result["pdf"] = pades.sign(data, foreign, field_name="Official-1", placement=pades.Placement(0, (300, 70, 520, 195)),
                                   style=appearance.OfficialStampStyle(position="Giám đốc", full_name="Ngô Văn Ngoài"),
                                   signed_at="2026-11-29T10:00:00+07:00", level=pades.B_B)

    thread = threading.Thread(target=sign_elsewhere)
    thread.start()
    thread.join(timeout=60)
    signed_elsewhere = result["pdf"]
    (tmp_path / "la.pdf").write_bytes(signed_elsewhere)
    (tmp_path / "hong.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF garbage")
    log_in(page, "vanthu.ky")
    for name, subject in (("hong.pdf", "Tệp hỏng"), ("la.pdf", "Chữ ký của tổ chức lạ")):
        page.goto("/documents/incoming/new/")
        page.locator("#id_doc_type").select_option(value="CV")
        page.locator("#id_subject").fill(subject)
        page.locator("#id_issuing_agency_name").fill("Công ty Ngoài")
        page.locator("#id_files").set_input_files(str(tmp_path / name))
        page.locator("form[enctype] button[type=submit]").last.click()
        page.wait_for_load_state()
    assert not Document.objects.filter(subject="Tệp hỏng").exists()
    foreign_doc = Document.objects.get(subject="Chữ ký của tổ chức lạ")
    run_worker()
    page.goto(f"/documents/{foreign_doc.pk}/")
    report = page.locator("#verification").inner_text()
    assert "Other Authority Root" in report and ("does not lead to a trusted root" in report or "không dẫn tới" in report)
    assert not AttachmentVerification.objects.get(attachment__document=foreign_doc).valid
    screenshot(page, "signing-unknown-ca-vi")
