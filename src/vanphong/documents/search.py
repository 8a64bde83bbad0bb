"""Full-text search of documents: one box over metadata and attachment text, diacritic-insensitive,
ranked by the database's own engine (SQLite FTS5, PostgreSQL tsvector), within what the reader may
see (selectors.documents_visible_to) and the filters they chose.

How a query runs:

- The query is folded like Document.search_text (core.text.fold: "Quyết Định" → "quyet dinh") and
  cut into words the way the engines cut the indexed text (runs of letters and digits). Every
  word must match; the last one also matches as a prefix, so a half-typed word already finds.
- The engine query is built from these words only, each one quoted, so nothing a person types
  (quotes, *, NEAR, -, OR, :, parentheses) can change its meaning or make it fail.
- Visibility and filters: the ORM queryset of selectors.documents_visible_to plus the filters is
  compiled to its WHERE clause, and that clause goes into the engine query as it is, so the rule
  lives in one place and the database checks it on each match, next to the index lookup.
  SQLite: the FTS5 table drives (CROSS JOIN keeps it the outer loop) and each match is joined to
  its document by primary key. PostgreSQL: `search_vector @@ tsquery`, answered by the GIN index.
- Ranking: bm25 (SQLite) or ts_rank_cd with length normalisation (PostgreSQL), then newest first.
  When more than RANK_WINDOW documents match, only the newest RANK_WINDOW of them are ranked:
  ranking every match of a common word costs time in proportion to the matches (about 120 ms per
  100,000 on SQLite, 300 ms on PostgreSQL, measured), and a broad query is then answered with the
  best of the recent documents; more words or a date filter reach older ones. Ties, and the
  empty-box listing, go newest first by id (ids grow with registration, and the indexes on
  agency_id end with it, so the listing walks an index backwards instead of sorting).
- Counting: the ranked query counts its window (count(*) OVER ()), so a search is one query;
  past COUNT_LIMIT the page says "more than 1,000". The listing counts only when its first page
  is full, and stops after COUNT_LIMIT + 1 rows. Paging stops at COUNT_LIMIT results (nobody
  pages further; they add words), which keeps deep OFFSETs off the database.
- Highlighting is done here, on the original text with its diacritics: each word of the subject
  (and of a short snippet of the attachment text that matched) is folded and compared with the
  query words, and the matches are wrapped in <mark>, everything else HTML-escaped.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from vanphong.core.text import fold
from vanphong.documents.models import Attachment, Direction, Document
from vanphong.documents.selectors import documents_visible_to

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
COUNT_LIMIT = 1000
RANK_WINDOW = 2000  # when more match, the newest this many are ranked (and counted); more than COUNT_LIMIT
MAX_QUERY_CHARS = 500  # of the box; anything longer is cut
MAX_TERMS = 12  # words of the query used; more add nothing but cost
MAX_WORD_CHARS = 100  # a longer "word" is in no index: such a query finds nothing
MIN_PREFIX_CHARS = 2  # a one-letter last word is a word, not a prefix of half the dictionary
SNIPPET_SOURCE_CHARS = 100_000  # of each attachment's text, searched for a snippet
SNIPPET_CHARS = 220

FTS_TABLE = "documents_document_fts"
_WORD = re.compile(r"[^\W_]+")
_SPACES = re.compile(r"\s+")


# ---- input and output ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchFilters:
    """What the filters of the search page can narrow the results to. Dates are local dates, both
    ends included; `received_*` is the arrival date of incoming documents and the creation date of
    outgoing ones."""

    register_id: int | None = None
    doc_type: str | None = None
    issuing_agency_id: int | None = None
    issued_from: dt.date | None = None
    issued_to: dt.date | None = None
    received_from: dt.date | None = None
    received_to: dt.date | None = None
    urgency: int | None = None
    status: str | None = None
    direction: str | None = None


@dataclass(frozen=True)
class Terms:
    """The words of a query, folded. `prefix`: the last word also matches words it begins."""

    words: tuple[str, ...] = ()
    prefix: bool = False
    impossible: bool = False  # a word no index can hold: nothing matches

    def __bool__(self) -> bool:
        return bool(self.words) or self.impossible

    def matches(self, folded_word: str) -> bool:
        if folded_word in self.words:
            return True
        return self.prefix and folded_word.startswith(self.words[-1])


@dataclass(frozen=True)
class SearchHit:
    document: Document
    subject_html: SafeString
    snippet_html: SafeString
    score: float | None = None


@dataclass(frozen=True)
class SearchPage:
    hits: list[SearchHit]
    total: int  # how many match; when not total_exact, more than this many (COUNT_LIMIT)
    total_exact: bool
    offset: int
    limit: int
    terms: Terms = field(default_factory=Terms)

    @property
    def total_capped(self) -> bool:
        """More match than are counted, or paged through."""
        return not self.total_exact or self.total > COUNT_LIMIT

    @property
    def pageable(self) -> int:
        return min(self.total, COUNT_LIMIT)

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.hits) < self.pageable

    @property
    def ranked(self) -> bool:
        return bool(self.terms.words)


# ---- the query --------------------------------------------------------------------------------------


def parse_query(query: str) -> Terms:
    """"Quyết định  về công tá" → words ("quyet", "dinh", "ve", "cong", "ta"), last one a prefix."""
    words = _WORD.findall(fold((query or "")[:MAX_QUERY_CHARS]))
    if not words:
        return Terms()
    if any(len(w) > MAX_WORD_CHARS for w in words):
        return Terms(impossible=True)
    last = words[-1]
    if len(last) < MIN_PREFIX_CHARS and len(words) > 1 and not last.isdigit():
        # "ky s": the person is typing the next word. Wait for its second letter rather than
        # demand a one-letter word (which finds nothing) or every word beginning with "s" (slow).
        words, last = words[:-1], words[-2]
    prefix = len(last) >= MIN_PREFIX_CHARS
    others = list(dict.fromkeys(w for w in words[:-1] if prefix or w != last))[: MAX_TERMS - 1]
    return Terms(words=(*others, last), prefix=prefix)


def fts5_query(terms: Terms) -> str:
    """`"quyet" AND "dinh" AND "ca"*`: every word a quoted string, so FTS5 reads no operator in it."""
    quoted = ['"' + w.replace('"', '""') + '"' for w in terms.words]
    if terms.prefix:
        quoted[-1] += "*"
    return " AND ".join(quoted)


def tsquery(terms: Terms) -> str:
    """`'quyet' & 'dinh' & 'ca':*` for to_tsquery: every word a quoted lexeme."""
    quoted = ["'" + w.replace("\\", "\\\\").replace("'", "''") + "'" for w in terms.words]
    if terms.prefix:
        quoted[-1] += ":*"
    return " & ".join(quoted)


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_current_timezone())


def _filter_q(filters: SearchFilters) -> Q:
    q = Q()
    if filters.direction:
        q &= Q(direction=filters.direction)
    if filters.register_id is not None:
        q &= Q(register_id=filters.register_id)
    if filters.doc_type:
        q &= Q(doc_type=filters.doc_type)
    if filters.issuing_agency_id is not None:
        q &= Q(issuing_agency_id=filters.issuing_agency_id)
    if filters.urgency is not None:
        q &= Q(urgency=filters.urgency)
    if filters.status:
        q &= Q(status=filters.status)
    if filters.issued_from:
        q &= Q(issued_date__gte=filters.issued_from)
    if filters.issued_to:
        q &= Q(issued_date__lte=filters.issued_to)
    if filters.received_from or filters.received_to:
        incoming, outgoing = Q(direction=Direction.INCOMING), Q(direction=Direction.OUTGOING)
        if filters.received_from:
            start = _local_midnight(filters.received_from)
            incoming &= Q(arrival_date__gte=start)
            outgoing &= Q(created_at__gte=start)
        if filters.received_to:
            end = _local_midnight(filters.received_to + dt.timedelta(days=1))
            incoming &= Q(arrival_date__lt=end)
            outgoing &= Q(created_at__lt=end)
        q &= {Direction.INCOMING: incoming, Direction.OUTGOING: outgoing}.get(filters.direction, incoming | outgoing)
    return q


def search(reader, query: str = "", *, filters: SearchFilters | None = None, offset: int = 0, limit: int = PAGE_SIZE) -> SearchPage:
    """The reader's documents matching the words of `query` and the filters, best first.
    An empty query lists the filtered documents, newest first."""
    filters = filters or SearchFilters()
    limit = max(1, min(int(limit), MAX_PAGE_SIZE))
    offset = max(0, min(int(offset), COUNT_LIMIT - limit))
    terms = parse_query(query)
    base = documents_visible_to(reader).filter(_filter_q(filters))
    if terms.impossible:
        return SearchPage([], 0, True, offset, limit, terms)
    vendor = connections[base.db].vendor
    with _planner_settings(base.db, vendor):
        if not terms:
            return _listing(base, terms, offset, limit)
        if vendor == "sqlite":
            return _search_sqlite(base, terms, offset, limit)
        return _search_postgresql(base, terms, offset, limit)


@contextmanager
def _planner_settings(db: str, vendor: str):
    """PostgreSQL: no JIT compilation for these queries. ts_rank_cd's cost estimate crosses
    jit_above_cost on any large set of matches, and compiling then took longer (about 190 ms)
    than running the whole query without it. SET LOCAL ends with the transaction."""
    if vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=db):
        with connections[db].cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        yield


def _total(on_page: int, offset: int, limit: int, count) -> tuple[int, bool]:
    """(total, exact). A first page that is not full holds every match; else count them, up to
    COUNT_LIMIT + 1 rows."""
    if offset == 0 and on_page < limit:
        return on_page, True
    found = count()
    return min(found, COUNT_LIMIT), found <= COUNT_LIMIT


def _for_display(qs: QuerySet) -> QuerySet:
    return qs.select_related("register", "issuing_agency").defer("search_text")


def _listing(base: QuerySet, terms: Terms, offset: int, limit: int) -> SearchPage:
    documents = list(_for_display(base).order_by("-pk")[offset:offset + limit])
    total, exact = _total(len(documents), offset, limit, lambda: base.order_by()[: COUNT_LIMIT + 1].count())
    hits = [SearchHit(d, escape(d.subject), SafeString("")) for d in documents]
    return SearchPage(hits, total, exact, offset, limit, terms)


def _search_postgresql(base: QuerySet, terms: Terms, offset: int, limit: int) -> SearchPage:
    where = _where_sql(base)
    if where is None:
        return SearchPage([], 0, True, offset, limit, terms)
    where_sql, where_params = where
    table = Document._meta.db_table
    # The newest RANK_WINDOW matches (GIN bitmap, or the primary key backwards when matches are
    # dense: the planner picks), then ts_rank_cd on those only, and a count of them.
    window = (f'SELECT "{table}"."id" AS id, "{table}"."search_vector" AS vector FROM "{table}" '
              f"WHERE \"{table}\".\"search_vector\" @@ to_tsquery('simple'::regconfig, %s) AND ({where_sql}) "
              f'ORDER BY "{table}"."id" DESC LIMIT %s')
    params = [tsquery(terms), *where_params, RANK_WINDOW]
    with connections[base.db].cursor() as cursor:
        cursor.execute(f"SELECT id, ts_rank_cd(vector, to_tsquery('simple'::regconfig, %s), 1) AS score, count(*) OVER () "
                       f"FROM ({window}) AS w ORDER BY score DESC, id DESC LIMIT %s OFFSET %s", [params[0], *params, limit, offset])
        rows = cursor.fetchall()
        if rows:
            found = rows[0][2]
        elif offset:
            cursor.execute(f"SELECT count(*) FROM ({window}) AS w", params)
            found = cursor.fetchone()[0]
        else:
            found = 0
    return _ranked_page(base.db, rows, found, terms, offset, limit)


def _where_sql(qs: QuerySet) -> tuple[str, list] | None:
    """The WHERE clause of a queryset over documents_document alone, for a hand-written FROM.
    None if the queryset is empty by construction (an inactive reader, say)."""
    query = qs.query
    if query.is_empty():
        return None
    used = [alias for alias, count in query.alias_refcount.items() if count]
    if used not in ([], [Document._meta.db_table]):
        raise ValueError(f"search filters must stay on {Document._meta.db_table}, not join {used}")
    compiler = query.get_compiler(using=qs.db)
    try:
        sql, params = compiler.compile(query.where)
    except EmptyResultSet:
        return None
    except FullResultSet:
        return "1 = 1", []
    return sql or "1 = 1", list(params)


def _search_sqlite(base: QuerySet, terms: Terms, offset: int, limit: int) -> SearchPage:
    where = _where_sql(base)
    if where is None:
        return SearchPage([], 0, True, offset, limit, terms)
    where_sql, where_params = where
    table = Document._meta.db_table
    # The FTS5 table is the outer loop (CROSS JOIN fixes the order in SQLite), its matches are
    # looked up by primary key, and only then are visibility and filters checked.
    source = (f'FROM {FTS_TABLE} CROSS JOIN "{table}" ON "{table}"."id" = {FTS_TABLE}.rowid '
              f"WHERE {FTS_TABLE} MATCH %s AND ({where_sql})")
    params = [fts5_query(terms), *where_params]
    with connections[base.db].cursor() as cursor:
        # The newest RANK_WINDOW matches (FTS5 walks its doclists backwards), ranked; bm25() may not
        # share a SELECT with the window function that counts them.
        window = f'SELECT "{table}"."id" AS id, bm25({FTS_TABLE}) AS score {source} ORDER BY {FTS_TABLE}.rowid DESC LIMIT %s'
        cursor.execute(f"SELECT id, score, count(*) OVER () FROM ({window}) ORDER BY score, id DESC LIMIT %s OFFSET %s",
                       [*params, RANK_WINDOW, limit, offset])
        rows = cursor.fetchall()
        if rows:
            found = rows[0][2]
        elif offset:
            cursor.execute(f"SELECT count(*) FROM ({window})", [*params, RANK_WINDOW])
            found = cursor.fetchone()[0]
        else:
            found = 0
    return _ranked_page(base.db, rows, found, terms, offset, limit)


def _ranked_page(db: str, rows: list[tuple], found: int, terms: Terms, offset: int, limit: int) -> SearchPage:
    """rows: (id, score, …) best first; found: how many matches the window held."""
    by_pk = _for_display(Document.objects.using(db)).in_bulk([row[0] for row in rows])
    documents = [by_pk[row[0]] for row in rows if row[0] in by_pk]
    scores = [row[1] for row in rows if row[0] in by_pk]
    return SearchPage(_highlighted(documents, terms, scores), min(found, COUNT_LIMIT), found <= COUNT_LIMIT, offset, limit, terms)


# ---- highlighting -----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _fold_table() -> dict[int, str]:
    """One character to one character, so that positions in the folded copy are those of the original:
    every Latin letter with diacritics (Vietnamese included) and "đ" to its base letter, lower case."""
    table = {}
    for code in [*range(0x41, 0x5B), *range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        folded = fold(chr(code))
        if len(folded) == 1 and folded != chr(code):
            table[code] = folded
    return table


def _matches(text: str, terms: Terms) -> list[tuple[int, int]]:
    """Spans of the words of `text` (NFC) that match the query words."""
    folded = text.translate(_fold_table())
    spans = []
    for match in _WORD.finditer(folded):
        word = match.group()
        if (word.isascii() and terms.matches(word)) or (not word.isascii() and terms.matches(fold(text[match.start():match.end()]))):
            spans.append(match.span())
    return spans


def highlight(text: str, terms: Terms, spans: list[tuple[int, int]] | None = None) -> SafeString:
    """`text` HTML-escaped, with the words that match the query in <mark>."""
    if spans is None:
        spans = _matches(text, terms) if terms.words else []
    parts, position = [], 0
    for start, end in spans:
        parts.append(escape(text[position:start]))
        parts.append(format_html("<mark>{}</mark>", text[start:end]))
        position = end
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # every part is escaped above


def snippet(text: str, terms: Terms) -> SafeString:
    """A short passage of `text` around its first match, highlighted; empty if nothing matches."""
    text = unicodedata.normalize("NFC", text)
    spans = _matches(text, terms)
    if not spans:
        return SafeString("")
    first = spans[0][0]
    start = max(0, first - SNIPPET_CHARS // 3)
    if start:
        space = text.find(" ", start, first)
        start = space + 1 if space >= 0 else start
    end = min(len(text), start + SNIPPET_CHARS)
    if end < len(text):
        space = text.rfind(" ", spans[0][1], end)
        end = space if space > 0 else end
    window = _SPACES.sub(" ", text[start:end]).strip()
    return format_html("{}{}{}", "… " if start else "", highlight(window, terms), " …" if end < len(text) else "")


def _highlighted(documents: list[Document], terms: Terms, scores: list) -> list[SearchHit]:
    texts: dict[int, list[str]] = {}
    if documents:
        rows = (Attachment.objects.filter(document_id__in=[d.pk for d in documents]).order_by("document_id", "pk")
                .annotate(head=Substr("text", 1, SNIPPET_SOURCE_CHARS)).values_list("document_id", "head"))
        for document_id, head in rows:
            if head:
                texts.setdefault(document_id, []).append(head)
    hits = []
    for document, score in zip(documents, scores, strict=True):
        excerpt = SafeString("")
        for text in texts.get(document.pk, ()):
            excerpt = snippet(text, terms)
            if excerpt:
                break
        hits.append(SearchHit(document, highlight(document.subject, terms), excerpt, score))
    return hits


def ensure_search_index(using: str = "default") -> bool:
    """Create what is missing of the full-text index (and refill it on SQLite); True if anything was.
    Run it after migrations: on SQLite, a migration that rebuilds documents_document drops its triggers."""
    from importlib import import_module

    return import_module("vanphong.documents.migrations.0002_search").install(connections[using])
