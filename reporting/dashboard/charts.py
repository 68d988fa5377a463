"""Server-rendered SVG charts: the same markup on the page and in the PDF (WeasyPrint draws inline SVG).

Every chart is an `<svg role="img">` with a `<title>` and a `<desc>` that says in words what it shows; the page
puts the same figures in a table beside it. Colours are presentation attributes, never `style`, so a strict
Content-Security-Policy does not strip them, and no meaning rests on colour alone: the threshold line is dashed and
labelled, and a withheld quarter is a gap in the line that the description names.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BLUE = "#005eb8"
DARK = "#212b32"
GREY = "#4c6272"
PALE = "#d8dde0"
WIDTH, HEIGHT = 360, 170
LEFT, RIGHT, TOP, BOTTOM = 44, 30, 16, 34


@dataclass(frozen=True)
class Point:
    label: str  # the quarter, e.g. "FY2025Q1"
    value: Decimal | None  # None: no data or withheld
    note: str = ""  # why there is no point, said in the description


def short_quarter(label: str) -> str:
    """`FY2025Q1` -> `Q1 25/26`, short enough for an axis of eight quarters."""
    if len(label) == 8 and label.startswith("FY") and label[6] == "Q":
        year = int(label[2:6])
        return f"Q{label[7]} {year % 100:02d}/{(year + 1) % 100:02d}"
    return label


def _show(value: Decimal, kind: str) -> str:
    if kind == "count":
        return f"{int(value):,}"
    return f"{value * 100:.1f}".rstrip("0").rstrip(".") + "%"


def _scale(points: list[Point], threshold: Decimal | None, kind: str) -> Decimal:
    if kind != "count":
        return Decimal(1)
    highest = max([p.value for p in points if p.value is not None] + [threshold or 0, Decimal(4)])
    return Decimal(int(highest * Decimal("1.2")) + 1)


def trend(*, chart_id: str, title: str, points: list[Point], threshold: Decimal | None, kind: str) -> SafeString:
    """A line of the last quarters' figures, oldest left, with the threshold as a dashed line."""
    top = _scale(points, threshold, kind)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(points) - 1, 1)

    def x(index):
        return LEFT + index * step

    def y(value):
        return TOP + plot_h - float(min(max(value, 0), top) / top) * plot_h

    parts = [
        f'<svg class="app-chart" id="{escape(chart_id)}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" xmlns="http://www.w3.org/2000/svg" '
        f'font-family="Frutiger W01, Arial, sans-serif" font-size="10">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(describe(points, threshold, kind))}</desc>',
    ]
    for fraction in (0, 0.5, 1):
        value = top * Decimal(str(fraction))
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}" stroke="{PALE}"/>'
            f'<text x="{LEFT - 4}" y="{y(value) + 3:.1f}" text-anchor="end" fill="{GREY}">{_show(value, kind)}</text>'
        )
    if threshold is not None:
        # Below a high threshold line (the figures mostly sit above it), above a low one.
        label_y = y(threshold) + 12 if threshold >= top / 2 else y(threshold) - 4
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(threshold):.1f}" y2="{y(threshold):.1f}" '
            f'stroke="{DARK}" stroke-width="1.5" stroke-dasharray="5 3"/>'
            f'<text x="{WIDTH - RIGHT}" y="{label_y:.1f}" text-anchor="end" fill="{DARK}">'
            f"Threshold {_show(threshold, kind)}</text>"
        )
    segment: list[str] = []
    segments = []
    for index, point in enumerate(points):
        if point.value is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        segment.append(f"{x(index):.1f},{y(point.value):.1f}")
    if segment:
        segments.append(segment)
    for line in segments:
        if len(line) > 1:
            parts.append(f'<polyline points="{" ".join(line)}" fill="none" stroke="{BLUE}" stroke-width="2.5"/>')
    for index, point in enumerate(points):
        if point.value is not None:
            parts.append(f'<circle cx="{x(index):.1f}" cy="{y(point.value):.1f}" r="3.5" fill="{BLUE}"/>')
        # Every other quarter is named, always the latest, so eight labels never collide.
        if (len(points) - 1 - index) % 2 == 0 or len(points) <= 4:
            parts.append(
                f'<text x="{x(index):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" fill="{GREY}">'
                f"{escape(short_quarter(point.label))}</text>"
            )
    parts.append("</svg>")
    # Every interpolated text is escaped above, so the SVG is safe to mark safe.
    return mark_safe("".join(parts))  # nosec B308 B703


def describe(points: list[Point], threshold: Decimal | None, kind: str) -> str:
    """The chart in words, for a screen reader: each quarter's figure and the threshold."""
    said = []
    for point in points:
        if point.value is not None:
            said.append(f"{short_quarter(point.label)}: {_show(point.value, kind)}")
        else:
            said.append(f"{short_quarter(point.label)}: {point.note or 'no figure'}")
    text = "; ".join(said) + "."
    if threshold is not None:
        text += f" Threshold {_show(threshold, kind)}."
    return text


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | None
    local: bool = False
    note: str = "not available"  # said instead of a figure when there is none


def comparison(*, chart_id: str, title: str, bars: list[Bar], kind: str) -> SafeString:
    """Horizontal bars: this service beside the national figure and similar areas. Each bar is labelled with its
    name and figure in text, so no reader depends on the bar's length or colour."""
    row = 22
    height = 8 + row * len(bars)
    label_w, value_w = 118, 52
    plot_w = WIDTH - label_w - value_w
    known = [b.value for b in bars if b.value is not None]
    top = Decimal(1) if kind != "count" else Decimal(max([*known, Decimal(1)]))
    said = "; ".join(f"{b.label}: {_show(b.value, kind) if b.value is not None else b.note}" for b in bars)
    parts = [
        f'<svg class="app-chart app-chart--bars" id="{escape(chart_id)}" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" xmlns="http://www.w3.org/2000/svg" '
        f'font-family="Frutiger W01, Arial, sans-serif" font-size="10">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(said)}.</desc>',
    ]
    for index, bar in enumerate(bars):
        top_y = 4 + index * row
        weight = ' font-weight="bold"' if bar.local else ""
        parts.append(f'<text x="0" y="{top_y + 13}" fill="{DARK}"{weight}>{escape(bar.label)}</text>')
        if bar.value is None:
            parts.append(f'<text x="{label_w}" y="{top_y + 13}" fill="{GREY}">{escape(bar.note)}</text>')
            continue
        length = float(min(max(bar.value, 0), top) / top) * plot_w if top else 0
        parts.append(
            f'<rect x="{label_w}" y="{top_y + 3}" width="{length:.1f}" height="13" '
            f'fill="{BLUE if bar.local else GREY}"/>'
            f'<text x="{label_w + length + 4:.1f}" y="{top_y + 13}" fill="{DARK}">{_show(bar.value, kind)}</text>'
        )
    parts.append("</svg>")
    # Every interpolated text is escaped above, so the SVG is safe to mark safe.
    return mark_safe("".join(parts))  # nosec B308 B703
