"""The certificate authority and signatures: how fast they are, against the floor of the bare
cryptography, in one fresh database (SQLite by default, PostgreSQL when DATABASE_URL is set).

  raw_rsa2048_sign_per_s  RSA-2048 PKCS#1 v1.5 SHA-256 signatures per second, the bare cryptography
                          call: the floor under every figure below
  pades_bb_ms             one PAdES B-B signature of a one-page PDF by an official, through
                          signing.services.sign_as_official: held key, visible appearance (position,
                          blue signature image, name, ISO time), audit record
  pades_bt_ms             the same at B-T: with a time-stamp from our TSA, in process
  pyhanko_floor_bb_ms     baseline: pyHanko alone signing the same PDFs invisibly, key in memory, room
                          for the signature given (no dry run): what any PAdES B-B costs with pyHanko
  ocsp_responses_per_s    OCSP answers per second from the real server (`vanphong serve`, gunicorn) to
                          --clients concurrent connections from wrk, each GET (RFC 5019) about one of
                          200 issued certificates at random
  baseline_health_per_s   the same server's /health under the same load: one database round trip
                          through Django's middleware, the cheapest page there is
  certs_issued_per_s      official certificates issued from CSRs, --batch to a request as an operator enrols the
                          officials of a department (pki.services.issue_batch_from_csrs, which `vanphong ca
                          issue-batch`, POST /api/v1/certificates/batch and the page call): each CSR read and its
                          proof of possession checked, each certificate signed, stored and audited
  certs_one_by_one_per_s  the same, one CSR to a request (pki.services.issue_from_csr): one transaction each
  xmldsig_sign_ms         one enveloped XML-DSig signature of a typical edXML package (header, a
                          130 KB attachment in base64) with the agency's held seal key
                          (signing.xmldsig.sign_package, certificate checks included)
  xmldsig_verify_ms       its verification (signing.xmldsig.verify_package): safe parse, digest and
                          signature, chain, revocation from the CA's database
  xmldsig_sign_vs_raw     xmldsig_sign_ms over the time of one raw RSA-2048 signature of this run

Timed parts run --runs times; figures are medians. The last line is one JSON object.

    python bench/pki.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/pki.py
"""

import argparse
import json
import statistics
import time

import _shared as shared

TARGETS = {"pades_bb_ms": 15, "ocsp_responses_per_s": 2000, "certs_issued_per_s": 300}
PG_BENCH_DB = "vanphong_bench_pki"


def bench_raw_rsa(seconds=1.0):
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    data, count, started = b"x" * 64, 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        count += 1
    return count / (time.perf_counter() - started)


def make_people():
    from vanphong.org.models import Agency, Person, Role

    Role.objects.bulk_create([Role(code=code) for code in Role.Code.values], ignore_conflicts=True)
    agency = Agency.objects.create(code="000.00.00.H27", name="Ủy ban nhân dân tỉnh Bắc Ninh", short_name="UBND Bắc Ninh",
                                   notation_code="UBND")
    official = Person(username="lanhdao.bench", full_name="Nguyễn Văn Lãnh Đạo", agency=agency, position="Chủ tịch")
    official.set_unusable_password()
    official.save()
    official.roles.set(Role.objects.filter(code=Role.Code.LEADER))
    return agency, official


def bench_signing(official, level, documents):
    from vanphong.signing import services

    services.sign_as_official(official, documents[0], level=level)  # warm-up: font subset, images, key
    times = []
    for pdf in documents:
        started = time.perf_counter()
        services.sign_as_official(official, pdf, level=level)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def bench_pyhanko_floor(official, documents):
    import io

    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.fields import SigSeedSubFilter
    from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner

    from vanphong.signing import credentials, selectors

    signer = credentials.held(selectors.held_official_certificate(official)).signer
    times = []
    for pdf in documents:
        started = time.perf_counter()
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        PdfSigner(PdfSignatureMetadata(field_name="Signature", md_algorithm="sha256", subfilter=SigSeedSubFilter.PADES),
                  signer=signer).sign_pdf(writer, bytes_reserved=16384)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def edxml_package(agency) -> bytes:
    """A typical package: the header real systems send and one attachment of 100 KB (a short PDF)."""
    import base64
    import random

    ns = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
    attachment = base64.b64encode(random.Random(7).randbytes(100_000)).decode("ascii")
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="{ns}"><edXML:edXMLEnvelope xmlns:edXML="{ns}"><edXML:edXMLHeader><edXML:MessageHeader>
<edXML:From><edXML:OrganId>{agency.code}</edXML:OrganId><edXML:OrganName>{agency.name}</edXML:OrganName></edXML:From>
<edXML:To><edXML:OrganId>000.00.00.G22</edXML:OrganId><edXML:OrganName>Văn phòng Chính phủ</edXML:OrganName></edXML:To>
<edXML:DocumentId>{agency.code},2026/11/29,45/UBND-VP</edXML:DocumentId>
<edXML:Code><edXML:CodeNumber>45</edXML:CodeNumber><edXML:CodeNotation>UBND-VP</edXML:CodeNotation></edXML:Code>
<edXML:Subject>Về việc báo cáo tình hình triển khai chữ ký số năm 2026</edXML:Subject>
<edXML:SignerInfo><edXML:Position>Chủ tịch</edXML:Position><edXML:FullName>Nguyễn Văn Lãnh Đạo</edXML:FullName></edXML:SignerInfo>
</edXML:MessageHeader><edXML:TraceHeaderList><edXML:TraceHeader><edXML:OrganId>{agency.code}</edXML:OrganId>
<edXML:Timestamp>2026/11/29 09:30:00</edXML:Timestamp></edXML:TraceHeader></edXML:TraceHeaderList></edXML:edXMLHeader>
<edXML:edXMLBody><edXML:edXMLManifest version="1.0"><edXML:Reference><edXML:ContentId>cid:1</edXML:ContentId>
<edXML:ContentType>application/pdf</edXML:ContentType></edXML:Reference></edXML:edXMLManifest></edXML:edXMLBody>
</edXML:edXMLEnvelope><edXML:AttachmentEncoded xmlns:edXML="{ns}"><edXML:Attachment><edXML:ContentId>1</edXML:ContentId>
<edXML:AttachmentName>45-UBND-VP.pdf</edXML:AttachmentName><edXML:ContentTransferEncoded>{attachment}</edXML:ContentTransferEncoded>
</edXML:Attachment></edXML:AttachmentEncoded></edXML>""".encode("utf-8")


def bench_xmldsig(agency, packages):
    """(sign ms, verify ms), medians over `packages` signatures and verifications."""
    from vanphong.signing import credentials, selectors, xmldsig

    creds = credentials.held(selectors.held_seal_certificate(agency))
    package = edxml_package(agency)
    signed = xmldsig.sign_package(package, creds)  # warm-up: key, chain checks
    if not xmldsig.verify_package(signed).valid:
        raise SystemExit("the benchmark's own XML signature does not verify")
    sign_times, verify_times = [], []
    for _ in range(packages):
        started = time.perf_counter()
        xmldsig.sign_package(package, creds)
        sign_times.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        xmldsig.verify_package(signed)
        verify_times.append((time.perf_counter() - started) * 1000)
    return statistics.median(sign_times), statistics.median(verify_times)


def one_page_pdfs(count):
    from fpdf import FPDF

    pdfs = []
    for n in range(count):
        pdf = FPDF(format="A4")
        pdf.add_page()
        pdf.set_font("helvetica", size=12)
        pdf.multi_cell(0, 8, f"Document {n}: " + "lorem ipsum " * 60)
        pdfs.append(bytes(pdf.output()))
    return pdfs


def bench_issuance(official, count, batch):
    """Certificates per second for `count` CSRs made beforehand, `batch` to a call (1: issue_from_csr)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from vanphong.pki import services

    csrs = []
    for _ in range(count):
        key = ec.generate_private_key(ec.SECP256R1())
        csr = x509.CertificateSigningRequestBuilder().subject_name(x509.Name([])).sign(key, hashes.SHA256())
        csrs.append(csr.public_bytes(serialization.Encoding.PEM))
    started = time.perf_counter()
    if batch == 1:
        for csr in csrs:
            services.issue_from_csr(None, profile="official", csr_data=csr, holder_person=official)
    else:
        for start in range(0, count, batch):
            requests = [services.CsrRequest(csr, holder_person=official) for csr in csrs[start:start + batch]]
            services.issue_batch_from_csrs(None, profile="official", requests=requests)
    return count / (time.perf_counter() - started)


def ocsp_requests(count):
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509 import ocsp

    from vanphong.pki.models import Certificate

    certs = list(Certificate.objects.filter(profile="official").select_related("ca")[:count])
    return [ocsp.OCSPRequestBuilder().add_certificate(c.x509, c.ca.x509, hashes.SHA256()).build().public_bytes(serialization.Encoding.DER)
            for c in certs]


def bench_ocsp(requests_der, runs, clients, seconds):
    """OCSP over HTTP in RFC 5019's GET form (what caching relying parties use), each request about
    one of the issued certificates picked at random, against the same server's /health (a database
    round trip through Django's middleware) as the baseline."""
    import base64
    import urllib.parse

    import requests
    from cryptography.x509 import ocsp

    paths = ["/pki/ocsp/" + urllib.parse.quote(base64.b64encode(der).decode(), safe="") for der in requests_der]
    proc, port = shared.start_server()
    base = f"http://127.0.0.1:{port}"
    try:
        for path in paths:  # every answer right, and each worker warmed (CAs, signer, first signatures)
            answer = ocsp.load_der_ocsp_response(requests.get(base + path, timeout=30).content)
            if answer.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL or answer.certificate_status != ocsp.OCSPCertStatus.GOOD:
                raise SystemExit(f"wrong OCSP answer for {path}")
        shared.load(base, paths, clients=clients, seconds=2, warm_up=True)
        ocsp_rates, health_rates = [], []
        for _ in range(runs):
            ocsp_rates.append(shared.load(base, paths, clients=clients, seconds=seconds).per_s)
            health_rates.append(shared.load(base, ["/health"], clients=clients, seconds=seconds).per_s)
        return statistics.median(ocsp_rates), statistics.median(health_rates)
    finally:
        shared.stop_server(proc)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each timed part (default: %(default)s)")
    parser.add_argument("--documents", type=int, default=40, help="documents signed per run (default: %(default)s)")
    parser.add_argument("--certificates", type=int, default=500, help="certificates issued per run (default: %(default)s)")
    parser.add_argument("--batch", type=int, default=100, help="CSRs to an issuing request (default: %(default)s)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent OCSP connections (default: %(default)s)")
    parser.add_argument("--seconds", type=int, default=5, help="length of each OCSP run (default: %(default)s)")
    parser.add_argument("--no-http", action="store_true", help="skip the OCSP server part")
    args = parser.parse_args()
    import os

    shared.setup(os.environ.get("DATABASE_URL"), PG_BENCH_DB)
    from django.db import connection

    from vanphong.pki import services

    try:
        agency, official = make_people()
        services.init_ca(None, name="VănPhòng Bench", algorithm="p256")
        services.issue_with_held_key(None, profile="official", holder_person=official)
        services.issue_with_held_key(None, profile="agency-seal", holder_agency=agency)
        raw = statistics.median(bench_raw_rsa() for _ in range(args.runs))
        print(f"raw RSA-2048 signatures: {raw:,.0f}/s", flush=True)
        documents = one_page_pdfs(args.documents)
        bb = statistics.median(bench_signing(official, "B-B", documents) for _ in range(args.runs))
        bt = statistics.median(bench_signing(official, "B-T", documents) for _ in range(args.runs))
        floor = statistics.median(bench_pyhanko_floor(official, documents) for _ in range(args.runs))
        print(f"PAdES B-B: {bb:.1f} ms, B-T: {bt:.1f} ms per document (target B-B ≤ {TARGETS['pades_bb_ms']} ms); "
              f"pyHanko alone, invisible: {floor:.1f} ms", flush=True)
        issued = statistics.median(bench_issuance(official, args.certificates, args.batch) for _ in range(args.runs))
        one_by_one = statistics.median(bench_issuance(official, args.certificates, 1) for _ in range(args.runs))
        print(f"certificates issued: {issued:,.0f}/s in batches of {args.batch} (target ≥ {TARGETS['certs_issued_per_s']}); "
              f"one by one: {one_by_one:,.0f}/s", flush=True)
        xml_runs = [bench_xmldsig(agency, args.documents) for _ in range(args.runs)]
        xml_sign = statistics.median(sign for sign, _verify in xml_runs)
        xml_verify = statistics.median(verify for _sign, verify in xml_runs)
        raw_ms = 1000 / raw
        print(f"XML-DSig of an edXML package: sign {xml_sign:.1f} ms, verify {xml_verify:.1f} ms "
              f"(one raw RSA-2048 signature: {raw_ms:.2f} ms)", flush=True)
        figures = {"database": connection.vendor, "raw_rsa2048_sign_per_s": round(raw, 1), "pades_bb_ms": round(bb, 2),
                   "pades_bt_ms": round(bt, 2), "pyhanko_floor_bb_ms": round(floor, 2),
                   "bb_vs_floor": round(bb / floor, 2), "certs_issued_per_s": round(issued, 1), "issuance_batch": args.batch,
                   "certs_one_by_one_per_s": round(one_by_one, 1),
                   "xmldsig_sign_ms": round(xml_sign, 2), "xmldsig_verify_ms": round(xml_verify, 2),
                   "xmldsig_sign_vs_raw": round(xml_sign / raw_ms, 1)}
        if not args.no_http:
            connection.close()
            rate, health = bench_ocsp(ocsp_requests(200), args.runs, args.clients, args.seconds)
            figures.update(ocsp_responses_per_s=round(rate, 1), baseline_health_per_s=round(health, 1),
                           ocsp_vs_health=round(rate / health, 2))
            print(f"OCSP over HTTP, {args.clients} connections: {rate:,.0f} responses/s "
                  f"(target ≥ {TARGETS['ocsp_responses_per_s']:,}); the same server's /health: {health:,.0f}/s", flush=True)
        print(json.dumps(figures))
    finally:
        shared.drop_database()


if __name__ == "__main__":
    main()
