"""The signer's kept signed attributes are exactly what pyHanko builds for each signature."""

import asyncio
import datetime as dt
import hashlib

import pytest
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes, Signer

from vanphong.signing import credentials

pytestmark = pytest.mark.django_db


def test_kept_signed_attributes_equal_pyhanko_s_own_for_every_digest(official_cert):
    signer = credentials.held(official_cert).signer

    async def both(digest):
        kept = await signer.signed_attrs(digest, "sha256", use_pades=True)
        built = await Signer.signed_attrs(signer, digest, "sha256", use_pades=True)
        return kept.dump(), built.dump()

    for text in (b"first document", b"second document", b""):
        digest = hashlib.sha256(text).digest()
        kept, built = asyncio.run(both(digest))
        assert kept == built
        assert digest in kept


def test_attributes_that_change_are_built_every_time(official_cert):
    """Outside PAdES, pyHanko adds the signing time: nothing is kept, each signature has its own."""
    signer = credentials.held(official_cert).signer
    when = PdfCMSSignedAttributes(signing_time=dt.datetime(2026, 11, 29, 9, 30, tzinfo=dt.timezone.utc))
    first = asyncio.run(signer.signed_attrs(hashlib.sha256(b"a").digest(), "sha256", attr_settings=when, use_pades=False))
    assert "signing_time" in {attribute["type"].native for attribute in first}
    assert not signer._signed_attrs_templates
