"""The edXML codec: how fast packages are read and written, against the floor of lxml alone.
No database.

  read_status_ms       reader.read of a status message (the third-party 03 sample, 1.7 KB)
  read_edoc_ms         reader.read of a document to three agencies (13 KB, one 9 KB attachment)
  read_edoc_370k_ms    reader.read of an update with a 270 KB attachment (370 KB)
  write_edoc_ms        writer.write of the 13 KB document, validation included
  write_edoc_370k_ms   writer.write of the 370 KB update
  lxml_parse_edoc_ms   baseline: the same safe lxml parser alone on the 13 KB document
  reads_per_s          1000 / read_edoc_ms

Timed parts run --runs times; figures are medians. The last line is one JSON object.

    python bench/edxml_codec.py [--runs N]
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

from lxml import etree  # noqa: E402

from vanphong.exchange.edxml import reader, safe_xml, writer  # noqa: E402

INTEROP = Path(__file__).resolve().parents[2] / "shared" / "interop" / "edxml"


def median_ms(function, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=300)
    runs = parser.parse_args().runs
    status = (INTEROP / "status_acceptance_03.edxml").read_bytes()
    edoc = (INTEROP / "edoc_multi_recipient.edxml").read_bytes()
    update = (INTEROP / "edoc_update_with_attachment.edxml").read_bytes()
    edoc_package, update_package = reader.read(edoc).package, reader.read(update).package
    figures = {
        "read_status_ms": median_ms(lambda: reader.read(status), runs),
        "read_edoc_ms": median_ms(lambda: reader.read(edoc), runs),
        "read_edoc_370k_ms": median_ms(lambda: reader.read(update), max(10, runs // 10)),
        "write_edoc_ms": median_ms(lambda: writer.write(edoc_package), runs),
        "write_edoc_370k_ms": median_ms(lambda: writer.write(update_package), max(10, runs // 10)),
        "lxml_parse_edoc_ms": median_ms(lambda: etree.fromstring(edoc, parser=safe_xml.parser()), runs),
    }
    figures["reads_per_s"] = round(1000 / figures["read_edoc_ms"])
    for name, value in figures.items():
        print(f"{name:22} {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
