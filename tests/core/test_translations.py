"""Vietnamese is complete: every string in the code is in the catalogue, translated, compiled."""

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "vanphong"
PO = PACKAGE / "locale" / "vi" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def _catalog(path):
    with path.open("rb") as handle:
        return read_po(handle, locale="vi")


def _ids(catalog):
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


def test_every_entry_is_translated_and_not_fuzzy():
    catalog = _catalog(PO)
    untranslated = [m.id for m in catalog if m.id and not (m.string if isinstance(m.string, str) else m.string[0])]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not untranslated, f"untranslated: {untranslated}"
    assert not fuzzy, f"fuzzy: {fuzzy}"


def test_compiled_catalogue_matches_the_po_file():
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for message in _catalog(PO):
        if message.id and isinstance(message.id, str):
            found = compiled.pgettext(message.context, message.id) if message.context else compiled.gettext(message.id)
            assert found == message.string, f"stale .mo for {message.id!r}: run `make messages`"


def test_no_string_in_the_code_is_missing_from_the_catalogue(tmp_path):
    if shutil.which("xgettext") is None:
        pytest.fail("gettext is not installed: run `make install` as root, or apt-get install gettext")
    copy = tmp_path / "vanphong"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "locale"))
    (copy / "locale").mkdir()
    django_admin = Path(__import__("sys").executable).parent / "django-admin"
    subprocess.run([str(django_admin), "makemessages", "-l", "vi", "--ignore", "migrations/*"], cwd=copy, check=True,
                   capture_output=True)
    found = _ids(_catalog(copy / "locale" / "vi" / "LC_MESSAGES" / "django.po"))
    missing = found - _ids(_catalog(PO))
    assert not missing, f"strings not in the catalogue (run `make messages` and translate): {sorted(missing)}"
