"""`vanphong check`: can the CA's keys be used? For keys in an HSM: the module loads, the token is
there, the PIN is accepted and the keys are in it, before a certificate, CRL or OCSP answer needs them."""

from __future__ import annotations

from vanphong.core.health import Check


def check_ca_keys() -> Check:
    from vanphong.pki import keys
    from vanphong.pki.models import CertificateAuthority

    cas = list(CertificateAuthority.objects.filter(is_active=True).only("name", "key_backend", "private_key"))
    if not cas:
        return Check("ca keys", True, "no certificate authority yet (vanphong ca init)")
    places = set()
    for ca in cas:
        try:
            keys.load(ca.key_backend, ca.private_key)
        except keys.KeyUnavailable as exc:
            return Check("ca keys", False, f"{ca.name}: {exc}")
        if ca.key_backend == keys.PKCS11:
            from vanphong.pki import hsm

            places.add(f"HSM token “{hsm.parse_reference(ca.private_key)[0].label}”")
        else:
            places.add("encrypted in the database")
    return Check("ca keys", True, f"{len(cas)} active CA key(s) usable: {', '.join(sorted(places))}")
