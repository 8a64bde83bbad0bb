"""Signing documents from their page: what the official, the clerk and the worker wait for, against
the bare PAdES signature underneath, in one fresh database (SQLite by default, PostgreSQL when
DATABASE_URL is set).

  sign_as_official_ms   baseline: signing.services.sign_as_official alone (B-T, held key, appearance)
  sign_document_ms      the official signs a draft's main PDF (signing.document_services.sign_document):
                        checks, the number fields, B-T, the signed PDF checked and stored as a new file,
                        the record and audit
  sign_vs_baseline      sign_document_ms / sign_as_official_ms
  seal_document_ms      the clerk seals the issued document with number and date, including the
                        verification of the official's signature before and of both after
  verify_report_ms      the worker's report of a sealed PDF (two signatures), in both languages
  docx_to_pdf_ms        LibreOffice converting a one-page Word draft (a fresh profile each time)

Timed parts run --runs times; figures are medians. The last line is one JSON object.

    python bench/signing_documents.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/signing_documents.py
"""

import argparse
import io
import json
import statistics
import time

import _shared as shared

PG_BENCH_DB = "vanphong_bench_signing_documents"


def timed(function) -> tuple[float, object]:
    started = time.perf_counter()
    result = function()
    return (time.perf_counter() - started) * 1000, result


def setup_people():
    from vanphong.org.models import Agency, Person, Role
    from vanphong.pki import services as pki

    Role.objects.bulk_create([Role(code=code) for code in Role.Code.values], ignore_conflicts=True)
    agency = Agency.objects.create(code="000.00.00.T27", name="Tỉnh ủy Bắc Ninh", short_name="TU Bắc Ninh", notation_code="TU",
                                   notation_scheme="party")

    def person(username, name, role, position=""):
        p = Person(username=username, full_name=name, agency=agency, position=position)
        p.set_unusable_password()
        p.save()
        p.roles.set(Role.objects.filter(code=role))
        return p

    official = person("lanhdao.bench", "Nguyễn Thị Ánh Tuyết", Role.Code.LEADER, "Phó Bí thư")
    clerk = person("vanthu.bench", "Nguyễn Thị Nhung", Role.Code.CLERK)
    pki.init_ca(None, name="VănPhòng Bench", algorithm="p256")
    pki.issue_with_held_key(None, profile="official", holder_person=official)
    pki.issue_with_held_key(None, profile="agency-seal", holder_agency=agency)
    return official, clerk


def heading_pdf() -> bytes:
    import logging

    from fpdf import FPDF

    logging.getLogger("fontTools").setLevel(logging.WARNING)  # fpdf2 subsets with fontTools, which lists every glyph

    pdf = FPDF(format="A4")
    pdf.add_font("noto", "", "/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf")
    pdf.add_page()
    pdf.set_font("noto", size=13)
    pdf.cell(85, 8, "Số:            /QĐ-TU", align="C")
    pdf.cell(0, 8, "Bắc Ninh, ngày      tháng      năm 2026", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 8, "QUYẾT ĐỊNH về việc thử nghiệm ký số " + "nội dung " * 200)
    return bytes(pdf.output())


def word_draft() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("Số:      /QĐ-TU")
    document.add_paragraph("Bắc Ninh, ngày      tháng      năm 2026")
    document.add_paragraph("QUYẾT ĐỊNH về việc thử nghiệm ký số " + "nội dung " * 200)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def one_run(official, clerk, pdf: bytes, n: int) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from vanphong.documents import services as documents
    from vanphong.documents.attachments import store
    from vanphong.signing import document_services, services

    baseline, _ = timed(lambda: services.sign_as_official(official, pdf))
    draft = documents.create_outgoing_draft(clerk, doc_type="QĐ", subject=f"Quyết định thử {n}", signer_name=official.full_name,
                                            files=[store(SimpleUploadedFile("Quyết định.pdf", pdf))])
    sign, _ = timed(lambda: document_services.sign_document(official, draft))
    issued = documents.issue_outgoing(clerk, draft)
    seal, sealing = timed(lambda: document_services.seal_document(clerk, issued))
    verify, report = timed(lambda: document_services.run_verification(sealing.result_id))
    if not report.valid:
        raise SystemExit("the benchmark's sealed document does not verify")
    return {"baseline": baseline, "sign": sign, "seal": seal, "verify": verify}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="documents signed, sealed and verified (default: %(default)s)")
    parser.add_argument("--conversions", type=int, default=3, help="Word drafts converted (default: %(default)s)")
    args = parser.parse_args()
    import os

    shared.setup(os.environ.get("DATABASE_URL"), PG_BENCH_DB)
    from django.db import connection

    from vanphong.signing import conversion

    try:
        official, clerk = setup_people()
        pdf = heading_pdf()
        one_run(official, clerk, pdf, 0)  # warm-up: fonts, images, keys, chains
        runs = [one_run(official, clerk, pdf, n) for n in range(1, args.runs + 1)]
        median = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
        print(f"sign_as_official: {median['baseline']:.1f} ms; from the page: sign {median['sign']:.1f} ms, "
              f"seal {median['seal']:.1f} ms; the worker's report: {median['verify']:.1f} ms", flush=True)
        figures = {"database": connection.vendor, "sign_as_official_ms": round(median["baseline"], 1),
                   "sign_document_ms": round(median["sign"], 1), "sign_vs_baseline": round(median["sign"] / median["baseline"], 2),
                   "seal_document_ms": round(median["seal"], 1), "verify_report_ms": round(median["verify"], 1)}
        if conversion.soffice() and args.conversions:
            word = word_draft()
            figures["docx_to_pdf_ms"] = round(statistics.median(timed(lambda: conversion.docx_to_pdf(word))[0]
                                                                for _ in range(args.conversions)), 0)
            print(f"Word to PDF with LibreOffice: {figures['docx_to_pdf_ms']:.0f} ms", flush=True)
        print(json.dumps(figures))
    finally:
        shared.drop_database()


if __name__ == "__main__":
    main()
