"""Outcome chart: the start TOP against the latest review, one pair of bars per item, as plain SVG.

Built in Python so the same markup goes into a page and into a PDF. Every bar carries its value and a text
label ("Start" / "Review"), and the two bars differ by pattern as well as shade, so nothing depends on colour.
"""

from django.utils.html import escape

from assessment.models import TOP_RATINGS, TOP_WEEKLY_ITEMS
from core.dates import long_date

# (field, label, scale maximum)
CHART_ITEMS = [(prefix, label, 28) for prefix, _n, label in TOP_WEEKLY_ITEMS] + [
    (prefix, label, 20) for prefix, _n, label in TOP_RATINGS
]
LABEL_WIDTH = 330
BAR_WIDTH = 300
ROW_HEIGHT = 44
BAR_HEIGHT = 14


def outcome_rows(start, review):
    """[(label, start value, review value or None, maximum)] for every TOP item."""
    return [
        (label, getattr(start, field), getattr(review, field) if review else None, maximum)
        for field, label, maximum in CHART_ITEMS
    ]


def outcome_chart_svg(start, review, *, title="Treatment Outcomes Profile: start and latest review") -> str:
    rows = outcome_rows(start, review)
    height = 50 + ROW_HEIGHT * len(rows)
    width = LABEL_WIDTH + BAR_WIDTH + 160
    review_text = f"review {long_date(review.top_date)}" if review else "no review yet"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="top-chart-title" font-family="Arial, sans-serif" font-size="14">',
        f'<title id="top-chart-title">{escape(title)}</title>',
        '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#005eb8" stroke-width="3"/></pattern></defs>',
        f'<text x="0" y="18" font-weight="bold">Start {long_date(start.top_date)} (solid) against '
        f"{escape(review_text)} (striped)</text>",
    ]
    for index, (label, start_value, review_value, maximum) in enumerate(rows):
        y = 40 + index * ROW_HEIGHT
        parts.append(f'<text x="0" y="{y + 17}">{escape(label)}</text>')
        parts.append(_bar(y, "Start", start_value, maximum, 'fill="#003087"'))
        if review_value is not None:
            parts.append(
                _bar(y + BAR_HEIGHT + 4, "Review", review_value, maximum, 'fill="url(#hatch)" stroke="#005eb8"')
            )
    parts.append("</svg>")
    return "".join(parts)


def _bar(y, name, value, maximum, paint):
    length = round(BAR_WIDTH * value / maximum) if maximum else 0
    x = LABEL_WIDTH
    unit = "days" if maximum == 28 else "out of 20"
    return (
        f'<rect x="{x}" y="{y}" width="{max(length, 1)}" height="{BAR_HEIGHT}" {paint}/>'
        f'<text x="{x + max(length, 1) + 6}" y="{y + BAR_HEIGHT - 2}" font-size="12">{name}: {value} {unit}</text>'
    )
