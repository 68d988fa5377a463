"""One date format everywhere (issue 14): `2 October 2024`, `2 October 2024 at 14:05`. Every template and every
message takes its format from core/dates.py, so a page never mixes `2 Oct` with `2 October` or reads
`02 October`. This test fails on any format written anywhere else."""

import datetime
import re
from pathlib import Path
from zoneinfo import ZoneInfo

from django.template import Context, Template

from core import dates

ROOT = Path(__file__).resolve().parents[2]
SOURCE_DIRS = [
    "assessment",
    "config",
    "core",
    "harm_reduction",
    "prescribing",
    "recovery_plans",
    "referrals",
    "reporting",
    "worklists",
]

# A format given in a template (`|date:"j M Y"`, `|time:"H:i"`, `{% now "Y" %}`) instead of the house filters.
TEMPLATE_FORMAT = re.compile(r"\|\s*(date|time)\s*:|\{%\s*now\s")
# A day written in Python by hand: `{d:%d %B %Y}`, `strftime(...)`, `date_format(d, "...")`.
PYTHON_FORMAT = re.compile(r"%-?d %[bB]|\.strftime\(|\bdate_format\(")


def _templates():
    yield from (ROOT / "templates").rglob("*.html")
    for folder in SOURCE_DIRS:
        yield from (ROOT / folder).glob("templates/**/*.html")


def _python_sources():
    for folder in SOURCE_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" not in path.parts and path != ROOT / "core" / "dates.py":
                yield path


def _offences(paths, pattern):
    return [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}"
        for path in paths
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if pattern.search(line)
    ]


def test_templates_format_dates_only_with_the_house_filters():
    assert _offences(_templates(), TEMPLATE_FORMAT) == []


def test_python_writes_dates_only_with_core_dates():
    assert _offences(_python_sources(), PYTHON_FORMAT) == []


def test_the_house_formats():
    day = datetime.date(2024, 10, 2)
    # 13:05 UTC is 14:05 in London in October: a time is shown in the service's zone.
    moment = datetime.datetime(2024, 10, 2, 13, 5, tzinfo=ZoneInfo("UTC"))
    assert dates.long_date(day) == "2 October 2024"
    assert dates.date_time(moment) == "2 October 2024 at 14:05"
    assert dates.clock_time(moment) == "14:05"
    assert dates.month_year(day) == "October 2024"
    assert dates.long_date(None) == ""


def test_a_date_printed_without_a_filter_follows_the_house_format_too():
    page = Template("{{ day }}|{{ day|long_date }}|{{ moment|date_time }}").render(
        Context(
            {"day": datetime.date(2024, 10, 2), "moment": datetime.datetime(2024, 10, 2, 13, 5, tzinfo=ZoneInfo("UTC"))}
        )
    )
    assert page == "2 October 2024|2 October 2024|2 October 2024 at 14:05"
