"""End-to-end encryption of Mật packages (exchange.confidential): what sealing and opening cost, against
the floor of bare AES-256-GCM on the same bytes, measured in the same run. No database.

For each seal key our CA issues (P-256, RSA-3072) and each package size (the 13 KB third-party
document, 1 MiB, 7 MiB: the largest attachment the codec takes):

  seal_ms            confidential.seal_for (fresh content key, key transport or agreement, GCM, DER)
  open_ms            confidential.open_sealed (parse, recover the content key, GCM with its tag checked)
  aesgcm_seal_ms     baseline: AESGCM.encrypt of the same bytes with a ready key
  aesgcm_open_ms     baseline: AESGCM.decrypt of the same bytes
  seal_ratio         seal_ms / aesgcm_seal_ms, open_ratio likewise
  envelope_bytes     what the envelope adds to the package

Timed parts run --runs times (a tenth of them for 1 MiB, a thirtieth for 7 MiB); figures are
medians. The last line is one JSON object.

    python bench/confidential.py [--runs N]
"""

import argparse
import json
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vanphong.settings")
import django  # noqa: E402

django.setup()

from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: E402

from vanphong.exchange import confidential  # noqa: E402
from vanphong.pki import keys  # noqa: E402

INTEROP = Path(__file__).resolve().parents[2] / "shared" / "interop" / "edxml"


def median_ms(function, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 4)


def seal_certificate(algorithm: str):
    """A certificate and key of the kind the agency-seal profile carries (pki.keys)."""
    import datetime as dt

    key = keys.generate_private_key(algorithm)
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, f"Bench {algorithm}")])
    now = dt.datetime.now(dt.UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
                   .sign(key, hashes.SHA256()))
    return certificate, key


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=300)
    runs = parser.parse_args().runs
    packages = {
        "13k": (INTEROP / "edoc_multi_recipient.edxml").read_bytes(),
        "1m": os.urandom(1024 * 1024),
        "7m": os.urandom(7 * 1024 * 1024),
    }
    repeats = {"13k": runs, "1m": max(5, runs // 10), "7m": max(3, runs // 30)}
    figures: dict[str, float] = {}
    for label, package in packages.items():
        n = repeats[label]
        aes, nonce = AESGCM(AESGCM.generate_key(bit_length=256)), os.urandom(12)
        encrypted = aes.encrypt(nonce, package, None)
        figures[f"aesgcm_seal_{label}_ms"] = median_ms(lambda: aes.encrypt(nonce, package, None), n)  # noqa: B023
        figures[f"aesgcm_open_{label}_ms"] = median_ms(lambda: aes.decrypt(nonce, encrypted, None), n)  # noqa: B023
        for algorithm in (keys.P256, keys.RSA3072):
            certificate, key = seal_certificate(algorithm)
            sealed = confidential.seal_for(certificate, package)
            assert confidential.open_sealed(key, certificate, sealed) == package
            prefix = f"{algorithm}_{label}"
            figures[f"{prefix}_seal_ms"] = median_ms(lambda: confidential.seal_for(certificate, package), n)  # noqa: B023
            figures[f"{prefix}_open_ms"] = median_ms(lambda: confidential.open_sealed(key, certificate, sealed), n)  # noqa: B023
            figures[f"{prefix}_seal_ratio"] = round(figures[f"{prefix}_seal_ms"] / figures[f"aesgcm_seal_{label}_ms"], 2)
            figures[f"{prefix}_open_ratio"] = round(figures[f"{prefix}_open_ms"] / figures[f"aesgcm_open_{label}_ms"], 2)
            figures[f"{prefix}_envelope_bytes"] = len(sealed) - len(package)
    for name, value in figures.items():
        print(f"{name:30} {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
