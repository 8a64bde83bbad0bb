"""The dashboard's charts, drawn on the server as SVG: no script, nothing fetched, nothing the Content Security
Policy must allow. Each chart is a picture of a table on the same page, which stays the reference (and what a
screen reader reads): the SVG is labelled and hidden from assistive technology beyond its title."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from vanphong.workflow.statistics import Figures

# (Figures attribute, legend label, colour): the parts of the work received, stacked in this order.
SERIES = (
    ("on_time", _("Completed on time"), "#1e7b3c"),
    ("late", _("Completed late"), "#d08c00"),
    ("overdue", _("Open, overdue"), "#b42318"),
    ("open_in_time", _("Open, within deadline"), "#7aa6d6"),
)


@dataclass
class Segment:
    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str


@dataclass
class Bar:
    label: str
    total: int
    label_x: float
    label_y: float
    total_x: float
    total_y: float
    segments: list[Segment] = field(default_factory=list)


@dataclass
class Tick:
    value: int
    x1: float
    y1: float
    x2: float
    y2: float
    label_x: float
    label_y: float


@dataclass
class Chart:
    width: int
    height: int
    bars: list[Bar]
    ticks: list[Tick]
    horizontal: bool


def _step(largest: int) -> int:
    """A round step giving four or five gridlines up to `largest`."""
    if largest <= 5:
        return 1
    raw = largest / 4
    magnitude = 10 ** int(math.floor(math.log10(raw)))
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)


def _segment_title(label, n: int) -> str:
    return f"{label}: {n}"


def columns(items: list[tuple[str, Figures]], *, height: int = 240) -> Chart:
    """Vertical stacked columns, one per item (the months of the period)."""
    left, bottom, top = 44, 28, 18
    slot = 46 if len(items) <= 12 else 34
    width = left + max(1, len(items)) * slot + 10
    plot = height - bottom - top
    largest = max([f.received for _label, f in items] + [1])
    step = _step(largest)
    scale_top = step * math.ceil(largest / step)
    ticks = []
    for value in range(0, scale_top + 1, step):
        y = top + plot - plot * value / scale_top
        ticks.append(Tick(value, left, y, width - 6, y, left - 6, y + 4))
    bars = []
    for n, (label, figures) in enumerate(items):
        x = left + n * slot + slot * 0.18
        bar_width = slot * 0.64
        bar = Bar(label, figures.received, x + bar_width / 2, height - bottom + 16, x + bar_width / 2, 0)
        y = top + plot
        for name, legend, colour in SERIES:
            count = getattr(figures, name)
            if not count:
                continue
            h = plot * count / scale_top
            y -= h
            bar.segments.append(Segment(x, y, bar_width, h, colour, _segment_title(legend, count)))
        bar.total_y = y - 4
        bars.append(bar)
    return Chart(width, height, bars, ticks, horizontal=False)


def rows(items: list[tuple[str, Figures]], *, width: int = 640) -> Chart:
    """Horizontal stacked bars, one per item (the units), each as long as the work it received."""
    left, right, row_height = 220, 50, 26
    height = max(1, len(items)) * row_height + 26
    plot = width - left - right
    largest = max([f.received for _label, f in items] + [1])
    step = _step(largest)
    scale_end = step * math.ceil(largest / step)
    ticks = [Tick(v, left + plot * v / scale_end, 4, left + plot * v / scale_end, height - 22, left + plot * v / scale_end, height - 6)
             for v in range(0, scale_end + 1, step)]
    bars = []
    for n, (label, figures) in enumerate(items):
        y = 6 + n * row_height
        bar = Bar(label if len(label) <= 34 else label[:33] + "…", figures.received, left - 8, y + 15, 0, y + 15)
        x = left
        for name, legend, colour in SERIES:
            count = getattr(figures, name)
            if not count:
                continue
            w = plot * count / scale_end
            bar.segments.append(Segment(x, y, w, row_height - 8, colour, _segment_title(legend, count)))
            x += w
        bar.total_x = x + 6
        bars.append(bar)
    return Chart(width, height, bars, ticks, horizontal=True)


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def svg(chart: Chart, chart_id: str, title: str) -> SafeString:
    """The chart as inline SVG, labelled by `title` for assistive technology; colours are attributes, not styles."""
    anchor = ("middle", "end", "start") if chart.horizontal else ("end", "middle", "middle")
    ticks = format_html_join("", '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#d8dee6"/><text x="{}" y="{}" text-anchor="{}">{}</text>', (
        (_n(t.x1), _n(t.y1), _n(t.x2), _n(t.y2), _n(t.label_x), _n(t.label_y), anchor[0], t.value) for t in chart.ticks))
    bars = []
    for bar in chart.bars:
        segments = format_html_join("", '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{} · {}</title></rect>', (
            (_n(s.x), _n(s.y), _n(s.width), _n(s.height), s.colour, bar.label, s.title) for s in bar.segments))
        total = format_html('<text x="{}" y="{}" font-size="12" font-weight="600" fill="#1d2733" text-anchor="{}">{}</text>',
                            _n(bar.total_x), _n(bar.total_y), anchor[2], bar.total) if bar.total else ""
        bars.append(format_html('<g>{}<text x="{}" y="{}" font-size="12" fill="#1d2733" text-anchor="{}">{}</text>{}</g>', segments,
                                _n(bar.label_x), _n(bar.label_y), anchor[1], bar.label, total))
    return format_html('<svg class="chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-labelledby="{id}-title" '
                       'focusable="false"><title id="{id}-title">{title}</title><g font-size="11" fill="#5b6675">{ticks}</g>{bars}</svg>',
                       w=chart.width, h=chart.height, id=chart_id, title=title, ticks=ticks, bars=mark_safe("".join(bars)))
