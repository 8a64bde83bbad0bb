"""DOCX to PDF with LibreOffice (Debian's libreoffice-writer-nogui), before an official signs.

Run synchronously, because the official waits for the signed file, but bounded: each conversion
gets its own LibreOffice profile folder (-env:UserInstallation), so conversions running at the
same time never share, lock or corrupt a profile, and a conversion that outlasts
VANPHONG_CONVERT_TIMEOUT_SECONDS is killed with its process group and refused with a message.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from vanphong.core.errors import ValidationError

TIMEOUT_SECONDS = 45  # well below gunicorn's worker timeout (120 s): the page answers before it would be killed


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(docx: bytes) -> bytes:
    """The PDF LibreOffice makes of a DOCX; ValidationError when it cannot (missing, broken, too slow)."""
    program = soffice()
    if program is None:
        raise ValidationError(_("Word files cannot be converted to PDF on this server (LibreOffice is not installed): "
                                "attach the main file as a PDF."))
    timeout = getattr(settings, "VANPHONG_CONVERT_TIMEOUT_SECONDS", TIMEOUT_SECONDS)
    with tempfile.TemporaryDirectory(prefix="vanphong-convert-") as folder:
        work = Path(folder)
        source = work / "document.docx"
        source.write_bytes(docx)
        profile = (work / "profile").as_uri()
        command = [program, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--nolockcheck",
                   "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(work / "out"), str(source)]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                                   env={**os.environ, "HOME": folder})
        try:
            process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise ValidationError(_("Converting the Word file to PDF took longer than %(seconds)s seconds and was stopped. "
                                    "Save it as PDF in Word and attach that.") % {"seconds": timeout}) from None
        result = work / "out" / "document.pdf"
        if process.returncode != 0 or not result.exists() or result.stat().st_size == 0:
            raise ValidationError(_("LibreOffice could not convert the Word file to PDF: the file may be damaged. "
                                    "Save it as PDF in Word and attach that."))
        return result.read_bytes()
