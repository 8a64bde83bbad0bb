"""Documents at scale: legacy import, full-text search and the inbox list, in one fresh database
(SQLite by default, PostgreSQL when DATABASE_URL is set: the bench creates a database of its own).

  import_docs_per_s   N synthetic Vietnamese documents (a CSV of the Decree 30 register columns)
                      through the real legacy import (documents.legacy_import), checks included
  search_p50_ms, search_p95_ms
                      realistic queries typed without diacritics, through documents.search.search
                      as a clerk (the selector path: visibility, ranking window, highlighting)
  raw_engine_p95_ms   the same queries straight on the engine's full-text index, same LIMIT
                      (FTS5 MATCH ordered by bm25; tsvector @@ to_tsquery ordered by ts_rank)
  list_p95_ms         the inbox (/documents/incoming/, first and deeper pages) from 32 concurrent
                      clients over HTTP, against the real server (`vanphong serve`, gunicorn)

Baselines measured in the same run: the same rows inserted with plain executemany into an
unindexed copy of the table (the engine's floor for the import), the raw engine for search, and
the sign-in page (no database work beyond the session) for the list. Timed parts run --runs times;
figures are medians. The last line is one JSON object.

    python bench/documents.py --docs 20000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/documents.py --docs 100000
"""

import argparse
import csv
import datetime as dt
import json
import os
import random
import statistics
import time
from pathlib import Path

import _shared as shared

TARGETS = {"import_docs_per_s": 6000, "search_p95_ms": {"sqlite": 100, "postgresql": 50}, "search_vs_raw": 1.5, "list_p95_ms": 100}
PG_BENCH_DB = "vanphong_bench_documents"
AGENCY_CODE = "000.00.00.H27"
CLERK, PASSWORD = "vanthu.bench", "Bench-VanPhong-2026"

# ---- synthetic documents ------------------------------------------------------------------------

PROVINCES = ["Bắc Ninh", "Hà Nam", "Nghệ An", "Thanh Hóa", "Lâm Đồng", "Quảng Ninh", "Hải Dương", "Thái Bình", "Nam Định", "Bắc Giang",
             "Phú Thọ", "Vĩnh Phúc", "Hưng Yên", "Ninh Bình", "Hà Tĩnh", "Quảng Bình", "Quảng Nam", "Đắk Lắk", "Gia Lai", "Khánh Hòa",
             "Bình Định", "Long An", "Tiền Giang", "Cần Thơ", "An Giang", "Đồng Tháp", "Kiên Giang", "Sóc Trăng", "Cà Mau", "Lào Cai"]
HOME = "Bắc Ninh"
# (name, abbreviation used in its notations, weight)
CENTRAL = [("Văn phòng Chính phủ", "VPCP", 3), ("Bộ Nội vụ", "BNV", 3), ("Bộ Tài chính", "BTC", 4), ("Bộ Kế hoạch và Đầu tư", "BKHĐT", 2),
           ("Bộ Giáo dục và Đào tạo", "BGDĐT", 2), ("Bộ Y tế", "BYT", 2), ("Bộ Tài nguyên và Môi trường", "BTNMT", 2),
           ("Bộ Nông nghiệp và Phát triển nông thôn", "BNN", 2), ("Bộ Công an", "BCA", 1), ("Thanh tra Chính phủ", "TTCP", 1),
           ("Ban Tổ chức Trung ương", "BTCTW", 1), ("Văn phòng Trung ương Đảng", "VPTW", 1)]
LOCAL = [("Tỉnh ủy {p}", "TU", 6), ("Hội đồng nhân dân tỉnh {p}", "HĐND", 3), ("Sở Tài chính tỉnh {p}", "STC", 6),
         ("Sở Nội vụ tỉnh {p}", "SNV", 6), ("Sở Kế hoạch và Đầu tư tỉnh {p}", "SKHĐT", 4), ("Sở Giáo dục và Đào tạo tỉnh {p}", "SGDĐT", 4),
         ("Sở Y tế tỉnh {p}", "SYT", 4), ("Sở Tài nguyên và Môi trường tỉnh {p}", "STNMT", 4), ("Sở Xây dựng tỉnh {p}", "SXD", 3),
         ("Sở Giao thông vận tải tỉnh {p}", "SGTVT", 3), ("Công an tỉnh {p}", "CAT", 3), ("Ban Tổ chức Tỉnh ủy {p}", "BTCTU", 2),
         ("Thanh tra tỉnh {p}", "TTr", 2), ("UBND thành phố Bắc Ninh", "UBND", 3), ("UBND thị xã Từ Sơn", "UBND", 2),
         ("UBND huyện Tiên Du", "UBND", 2), ("UBND huyện Gia Bình", "UBND", 1), ("UBND huyện Lương Tài", "UBND", 1)]
# (code, name as the register writes it, weight): công văn most, then decisions, reports, invitations...
TYPES = [("CV", "Công văn", 44), ("QĐ", "Quyết định", 12), ("BC", "Báo cáo", 8), ("GM", "Giấy mời", 8), ("TB", "Thông báo", 8),
         ("KH", "Kế hoạch", 7), ("TTr", "Tờ trình", 4), ("HD", "Hướng dẫn", 3), ("CTr", "Chương trình", 1.5), ("NQ", "Nghị quyết", 1.5),
         ("CT", "Chỉ thị", 1), ("BB", "Biên bản", 1), ("CĐ", "Công điện", 0.5), ("QC", "Quy chế", 0.5)]
TOPICS = [
    "phòng, chống lụt bão và tìm kiếm cứu nạn", "phòng chống thiên tai", "cải cách hành chính", "chuyển đổi số", "chính quyền điện tử",
    "phòng, chống tham nhũng, tiêu cực", "xây dựng nông thôn mới", "giảm nghèo bền vững", "phòng, chống dịch COVID-19",
    "quản lý đất đai", "bảo đảm trật tự an toàn giao thông", "công tác cán bộ", "thi đua, khen thưởng", "dự toán ngân sách nhà nước",
    "giải ngân vốn đầu tư công", "phát triển kinh tế - xã hội", "bảo vệ môi trường", "phòng cháy, chữa cháy", "tuyển dụng công chức",
    "đào tạo, bồi dưỡng cán bộ, công chức", "tiếp công dân, giải quyết khiếu nại, tố cáo", "bảo đảm an ninh trật tự",
    "bầu cử đại biểu Quốc hội và đại biểu Hội đồng nhân dân", "công tác dân vận", "kiểm tra, giám sát của Đảng", "kết nạp đảng viên",
    "học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh", "chương trình mục tiêu quốc gia", "tổ chức Đại hội Đảng bộ các cấp",
    "sắp xếp đơn vị hành chính cấp huyện, cấp xã", "thực hành tiết kiệm, chống lãng phí", "an toàn thực phẩm", "tiêm chủng mở rộng",
    "phổ biến, giáo dục pháp luật", "cấp giấy chứng nhận quyền sử dụng đất", "quản lý thị trường, chống buôn lậu", "phát triển du lịch",
    "xuất khẩu lao động", "bảo hiểm xã hội, bảo hiểm y tế", "kỳ thi tốt nghiệp trung học phổ thông", "quy hoạch tỉnh thời kỳ 2021-2030",
    "an toàn, an ninh mạng", "công tác tổ chức Tết Nguyên đán", "chi trả chế độ cho người có công", "phòng, chống ma túy",
    "thu ngân sách nhà nước", "cổ phần hóa doanh nghiệp nhà nước", "quản lý tài sản công", "hoạt động của Ban chỉ đạo",
]
QD_ACTIONS = ["phê duyệt kế hoạch", "thành lập Ban chỉ đạo", "thành lập Tổ công tác", "kiện toàn Ban chỉ đạo", "giao chỉ tiêu kế hoạch",
              "phân bổ kinh phí thực hiện", "ban hành Quy chế", "khen thưởng tập thể, cá nhân có thành tích trong"]
QD_PEOPLE = ["bổ nhiệm cán bộ", "điều động công tác cán bộ", "nâng bậc lương thường xuyên đối với công chức", "cử cán bộ đi công tác",
             "nghỉ hưu hưởng chế độ bảo hiểm xã hội", "tiếp nhận và bổ nhiệm công chức", "luân chuyển cán bộ lãnh đạo"]
CV_ACTIONS = ["báo cáo kết quả thực hiện", "đề nghị cung cấp thông tin về", "triển khai thực hiện", "góp ý dự thảo văn bản về",
              "tăng cường công tác", "hướng dẫn thực hiện", "đôn đốc thực hiện", "rà soát, tổng hợp số liệu về", "chấn chỉnh công tác"]
POSITIONS = ["Chủ tịch UBND tỉnh", "Phó Chủ tịch UBND tỉnh", "Bí thư Tỉnh ủy", "Giám đốc Sở"]
SIGNERS = [("Nguyễn Văn Hùng", "Chủ tịch"), ("Trần Thị Thu Hà", "Phó Chủ tịch"), ("Lê Quang Minh", "Phó Chủ tịch"),
           ("Phạm Đức Thắng", "Chánh Văn phòng"), ("Đỗ Thị Lan Anh", "Phó Chánh Văn phòng")]
UNITS = [("Văn phòng", "VP"), ("Phòng Tổng hợp", "TH"), ("Phòng Kinh tế", "KT"), ("Phòng Nội chính", "NC"), ("Phòng Khoa giáo - Văn xã", "KGVX"),
         ("Phòng Hành chính - Tổ chức", "HCTC"), ("Ban Tiếp công dân", "TCD")]
SEARCHES = [
    "quyet dinh cong tac can bo", "ke hoach phong chong lut bao", "bao cao ket qua cai cach hanh chinh", "chuyen doi so",
    "giay moi hop", "phong chong dich covid", "du toan ngan sach nha nuoc", "bo nhiem can bo", "xay dung nong thon moi",
    "thi dua khen thuong nam 2023", "tiep cong dan giai quyet khieu nai", "so tai chinh bac ninh", "huong dan thuc hien bao hiem",
    "ky thi tot nghiep", "an toan giao thong", "quy hoach tinh", "ket nap dang vien", "phong chong tham nhung", "dao tao boi duong",
    "cong van de nghi cung cap thong tin",
]


def _weighted(rng, items, weight=lambda item: item[-1]):
    return rng.choices(items, weights=[weight(i) for i in items], k=1)[0]


def _issuers():
    found = [(name, abbr, w) for name, abbr, w in CENTRAL]
    for province in PROVINCES:
        home = province == HOME
        for name, abbr, w in LOCAL:
            if "{p}" not in name and not home:
                continue
            found.append((name.format(p=province), abbr, w * (8 if home else 0.15)))
    return found


def _subject(rng, code, year):
    topic = rng.choice(TOPICS)
    period = rng.choice([f"năm {year}", f"quý {rng.choice(['I', 'II', 'III', 'IV'])} năm {year}", f"6 tháng đầu năm {year}",
                         f"tháng {rng.randint(1, 12)} năm {year}", "giai đoạn 2021-2025"])
    if code == "CV":
        return f"V/v {rng.choice(CV_ACTIONS)} {topic}" + (f" {period}" if rng.random() < 0.4 else "")
    if code == "QĐ":
        if rng.random() < 0.35:
            return f"Về việc {rng.choice(QD_PEOPLE)}"
        return f"Về việc {rng.choice(QD_ACTIONS)} {topic}" + (f" {period}" if rng.random() < 0.3 else "")
    if code == "BC":
        return f"{rng.choice(['Kết quả thực hiện', 'Tình hình', 'Sơ kết', 'Tổng kết'])} {topic} {period}"
    if code == "GM":
        return f"{rng.choice(['Dự hội nghị', 'Họp bàn về', 'Dự buổi làm việc về', 'Dự tập huấn'])} {topic}"
    if code == "TB":
        return rng.choice([f"Kết luận của đồng chí {rng.choice(POSITIONS)} tại cuộc họp về {topic}",
                           f"Lịch công tác tuần {rng.randint(1, 52)} năm {year}", f"Về việc {topic}"])
    if code == "KH":
        return f"{rng.choice(['Triển khai', 'Thực hiện', 'Tổ chức'])} {topic} {period}"
    if code == "TTr":
        return f"Đề nghị phê duyệt {rng.choice(['kế hoạch', 'đề án', 'dự toán kinh phí'])} {topic}"
    return f"Về {rng.choice(['tăng cường', 'đẩy mạnh', 'nâng cao hiệu quả'])} {topic}"


def _day(rng, year, last):
    """A working day of `year`, more in December and January, few in the Tết month, hardly any weekend."""
    months = [1.3, 0.6, 1.0, 1.0, 1.0, 0.9, 0.9, 0.9, 1.0, 1.0, 1.1, 1.4]
    while True:
        month = _weighted(rng, list(range(1, 13)), weight=lambda m: months[m - 1])
        day = dt.date(year, month, rng.randint(1, 28 if month == 2 else 30 if month in (4, 6, 9, 11) else 31))
        if day > last:
            continue
        weekday = day.weekday()
        if weekday < 5 or rng.random() < (0.08 if weekday == 5 else 0.01):
            return day


def generate_csv(path, docs, seed=2026):
    """N documents, 70% incoming, over the years up to yesterday, numbered per register in date order."""
    rng = random.Random(seed)
    issuers = _issuers()
    today = dt.date.today()
    last = today - dt.timedelta(days=1)
    years = list(range(today.year - 9, today.year + 1))
    weights = [1 + i * 0.08 for i in range(len(years))]
    weights[-1] *= (last.timetuple().tm_yday / 366)
    rows = []
    for _ in range(docs):
        year = rng.choices(years, weights=weights, k=1)[0]
        direction = "đến" if rng.random() < 0.7 else "đi"
        code, type_name, _w = _weighted(rng, TYPES)
        day = _day(rng, year, last)
        confidentiality = rng.choices(["", "mật", "tối mật"], weights=[97, 2.5, 0.5], k=1)[0]
        urgency = rng.choices(["", "khẩn", "thượng khẩn", "hỏa tốc"], weights=[88, 8, 3, 1], k=1)[0]
        rows.append([direction, day, code, type_name, confidentiality, urgency, rng.random()])
    rows.sort(key=lambda r: (r[1], r[6]))
    counters = {}
    header = ["Đến/Đi", "Ngày đến", "Số đến", "Cơ quan ban hành", "Số, ký hiệu", "Ngày văn bản", "Loại văn bản", "Trích yếu",
              "Đơn vị/người nhận", "Người ký", "Chức vụ người ký", "Nơi nhận", "Đơn vị lưu", "Số bản", "Độ mật", "Độ khẩn", "Hạn xử lý",
              "Số trang", "Ghi chú"]
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for direction, day, code, type_name, confidentiality, urgency, _r in rows:
            key = (direction, day.year, bool(confidentiality))
            counters[key] = number = counters.get(key, 0) + 1
            subject = _subject(rng, code, day.year)
            pages = str(rng.choice([1, 1, 2, 2, 2, 3, 3, 4, 5, 6, 8, 12]))
            if direction == "đến":
                issuer, abbr, _w = _weighted(rng, issuers)
                issued = day - dt.timedelta(days=rng.choice([0, 1, 1, 2, 2, 3, 4, 5, 7, 10]))
                own = rng.randint(1, 3000)
                reference = f"{own}/{abbr}-VP" if code == "CV" else f"{own}-{code}/{abbr}" if abbr in ("TU", "VPTW", "BTCTU", "BTCTW") \
                    else f"{own}/{code}-{abbr}"
                arrival = f"{day:%d/%m/%Y} {rng.randint(7, 16):02d}:{rng.choice(['00', '15', '30', '45'])}"
                receiver = rng.choice(UNITS)[0] if rng.random() < 0.6 else ""
                due = f"{day + dt.timedelta(days=rng.choice([5, 7, 10, 15, 30])):%d/%m/%Y}" if rng.random() < 0.2 else ""
                writer.writerow(["đến", arrival, number, issuer, reference, f"{issued:%d/%m/%Y}", type_name, subject, receiver, "", "", "",
                                 "", "", confidentiality, urgency, due, pages, ""])
            else:
                unit, short = rng.choice(UNITS)
                reference = f"{number:02d}/UBND-{short}" if code == "CV" else f"{number:02d}/{code}-UBND"
                signer, position = rng.choice(SIGNERS)
                places = "; ".join(rng.sample(["Sở Nội vụ", "Sở Tài chính", "Sở Kế hoạch và Đầu tư", "UBND các huyện, thị xã, thành phố",
                                               "Văn phòng Chính phủ", "Thường trực Tỉnh ủy", "Các sở, ban, ngành"], rng.randint(1, 4)))
                writer.writerow(["đi", "", "", "", reference, f"{day:%d/%m/%Y}", type_name, subject, "", signer, position,
                                 places + "; Lưu: VT", unit, rng.choice([2, 3, 5, 10, 30]), confidentiality, urgency, "", pages, ""])


# ---- database ---------------------------------------------------------------------------------------


def make_clerk():
    from vanphong.org.models import Agency, Person, Role, Unit

    Role.objects.bulk_create([Role(code=code) for code in Role.Code.values], ignore_conflicts=True)
    agency = Agency.objects.create(code=AGENCY_CODE, name="Ủy ban nhân dân tỉnh Bắc Ninh", short_name="UBND Bắc Ninh", notation_code="UBND")
    for order, (name, short) in enumerate(UNITS):
        Unit.objects.create(agency=agency, name=name, short_name=short, sort_order=order)
    clerk = Person(username=CLERK, full_name="Nguyễn Thị Văn Thư", agency=agency, clearance=2)
    clerk.set_password(PASSWORD)
    clerk.save()
    clerk.roles.set(Role.objects.filter(code=Role.Code.CLERK))
    return clerk


# ---- import -------------------------------------------------------------------------------------------


def bench_import(clerk, csv_path):
    from vanphong.documents import legacy_import

    started = time.perf_counter()
    result = legacy_import.import_documents(clerk, csv_path, batch_size=2000)
    seconds = time.perf_counter() - started
    if result.problems or result.imported != result.rows:
        raise SystemExit(f"import failed: {result.imported}/{result.rows} imported, first problems {result.messages()[:5]}")
    return result.imported / seconds, seconds


def bench_insert_baseline(sample):
    """The same rows, already prepared, inserted with plain executemany into an unindexed copy of the
    table, in transactions of 2,000: what the engine needs for the rows alone."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_documents_copy")
        cursor.execute("CREATE TABLE bench_documents_copy AS SELECT * FROM documents_document WHERE 1 = 0")
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE bench_documents_copy DROP COLUMN IF EXISTS search_vector")
        cursor.execute(f"SELECT * FROM documents_document ORDER BY id LIMIT {sample}")
        columns = [c[0] for c in cursor.description if c[0] != "search_vector"]
        cursor.execute(f"SELECT {', '.join(columns)} FROM documents_document ORDER BY id LIMIT {sample}")
        rows = [row[1:] for row in cursor.fetchall()]
    insert = (f"INSERT INTO bench_documents_copy ({', '.join(columns[1:])}) VALUES ({', '.join(['%s'] * (len(columns) - 1))})")
    started = time.perf_counter()
    for start in range(0, len(rows), 2000):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(insert, rows[start:start + 2000])
    per_s = len(rows) / (time.perf_counter() - started)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_documents_copy")
    return per_s


# ---- search -------------------------------------------------------------------------------------------


def bench_search(clerk, runs):
    from django.db import connection

    from vanphong.documents import search

    app, raw, hits = [], [], {}
    for _ in range(runs):
        app_run, raw_run = [], []
        for query in SEARCHES:
            started = time.perf_counter()
            page = search.search(clerk, query)
            app_run.append((time.perf_counter() - started) * 1000)
            hits[query] = page.total
            terms = search.parse_query(query)
            started = time.perf_counter()
            with connection.cursor() as cursor:
                if connection.vendor == "sqlite":
                    cursor.execute(f"SELECT rowid, bm25({search.FTS_TABLE}) AS score FROM {search.FTS_TABLE} "
                                   f"WHERE {search.FTS_TABLE} MATCH %s ORDER BY score LIMIT %s", [search.fts5_query(terms), search.PAGE_SIZE])
                else:
                    cursor.execute("SELECT id, ts_rank(search_vector, q) AS score FROM documents_document, to_tsquery('simple', %s) AS q "
                                   "WHERE search_vector @@ q ORDER BY score DESC LIMIT %s", [search.tsquery(terms), search.PAGE_SIZE])
                cursor.fetchall()
            raw_run.append((time.perf_counter() - started) * 1000)
        app.append(app_run)
        raw.append(raw_run)
    empty = [q for q, n in hits.items() if not n]
    if len(empty) > len(SEARCHES) // 4:
        raise SystemExit(f"too many queries find nothing: {empty}")
    return app, raw, hits


# ---- the inbox over HTTP -----------------------------------------------------------------------------------


def bench_list(runs, clients, seconds):
    proc, port = shared.start_server()
    base = f"http://127.0.0.1:{port}"
    try:
        cookies = shared.sign_in(base, CLERK, PASSWORD)
        inbox = [(path, cookies) for path in ("/documents/incoming/", "/documents/incoming/", "/documents/incoming/?page=2",
                                              "/documents/incoming/?page=5", "/documents/incoming/?page=20", "/documents/incoming/?page=100")]
        rows = {"marker": 'href="/documents/', "min_count": 10}  # a page of documents, not an empty list
        shared.load(base, inbox, clients=clients, seconds=2, warm_up=True, **rows)  # warm-up: connections, caches
        results, baseline = [], []
        for _ in range(runs):
            results.append(shared.load(base, inbox, clients=clients, seconds=seconds, **rows))
            baseline.append(shared.load(base, ["/accounts/login/"], clients=clients, seconds=seconds, marker='name="csrfmiddlewaretoken"').p95_ms)
        return results, baseline
    finally:
        shared.stop_server(proc)


# ---- main ---------------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20000, help="documents to generate and import (default: %(default)s)")
    parser.add_argument("--runs", type=int, default=3, help="runs of the timed parts (default: %(default)s)")
    parser.add_argument("--clients", type=int, default=32, help="concurrent HTTP clients for the list (default: %(default)s)")
    parser.add_argument("--seconds", type=int, default=10, help="length of each run of the list under load (default: %(default)s)")
    parser.add_argument("--keep", action="store_true", help="keep the database and data folder")
    parser.add_argument("--no-list", action="store_true", help="skip the HTTP part")
    args = parser.parse_args()

    data = shared.setup(os.environ.get("DATABASE_URL"), PG_BENCH_DB)
    from django.db import connection

    vendor = connection.vendor
    clerk = make_clerk()
    csv_path = Path(data) / "so-van-ban.csv"
    started = time.perf_counter()
    generate_csv(csv_path, args.docs)
    print(f"generated {args.docs:,} documents ({csv_path.stat().st_size / 1e6:.1f} MB CSV) in {time.perf_counter() - started:.1f} s",
          flush=True)

    import_rate, import_seconds = bench_import(clerk, csv_path)
    print(f"import: {import_rate:,.0f} documents/s ({import_seconds:.1f} s)", flush=True)
    baseline_insert = bench_insert_baseline(min(args.docs, 50_000))
    print(f"  baseline, plain executemany into an unindexed copy: {baseline_insert:,.0f} rows/s", flush=True)
    if vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE documents_document")

    app, raw, hits = bench_search(clerk, args.runs)
    search_p50 = statistics.median(shared.percentile(r, 0.5) for r in app)
    search_p95 = statistics.median(shared.percentile(r, 0.95) for r in app)
    raw_p95 = statistics.median(shared.percentile(r, 0.95) for r in raw)
    for query, app_ms, raw_ms in zip(SEARCHES, [statistics.median(c) for c in zip(*app)], [statistics.median(c) for c in zip(*raw)],
                                     strict=True):
        print(f"  search {query!r}: {hits[query]} found, {app_ms:.1f} ms (raw engine {raw_ms:.1f} ms)")
    figures = {"import_docs_per_s": round(import_rate, 1), "baseline_insert_per_s": round(baseline_insert, 1),
               "search_p50_ms": round(search_p50, 2), "search_p95_ms": round(search_p95, 2), "raw_engine_p95_ms": round(raw_p95, 2),
               "search_vs_raw": round(search_p95 / raw_p95, 2) if raw_p95 else None}
    if not args.no_list:
        results, baseline = bench_list(args.runs, args.clients, args.seconds)
        figures["list_p50_ms"] = round(statistics.median(r.p50_ms for r in results), 1)
        figures["list_p95_ms"] = round(statistics.median(r.p95_ms for r in results), 1)
        figures["list_per_s"] = round(statistics.median(r.per_s for r in results), 1)
        figures["baseline_login_page_p95_ms"] = round(statistics.median(baseline), 1)
    figures.update(docs=args.docs, database=vendor, runs=args.runs)

    target_search = TARGETS["search_p95_ms"][vendor]
    print(f"import_docs_per_s {figures['import_docs_per_s']:,.0f} (target ≥ {TARGETS['import_docs_per_s']:,}; "
          f"{figures['import_docs_per_s'] / baseline_insert:.2f}× the plain insert baseline)")
    print(f"search p50 {search_p50:.1f} ms, p95 {search_p95:.1f} ms (target ≤ {target_search} ms); raw engine p95 {raw_p95:.1f} ms; "
          f"ratio {figures['search_vs_raw']} (target ≤ {TARGETS['search_vs_raw']})")
    if "list_p95_ms" in figures:
        print(f"inbox list p95 {figures['list_p95_ms']} ms under {args.clients} clients (target ≤ {TARGETS['list_p95_ms']} ms); "
              f"{figures['list_per_s']} pages/s; baseline sign-in page p95 {figures['baseline_login_page_p95_ms']} ms")
    if not args.keep:
        shared.drop_database()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
