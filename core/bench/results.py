"""Bench results as JSON files (docs/benchmarks/results/<date>-<commit>-<scale>.json), and the comparison of two:
every figure of one beside the other's, with the ratio, so a commit that slows a page shows up by name."""

import json
import os
import subprocess  # nosec B404: git, fixed arguments
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

RESULTS_DIR = Path(settings.BASE_DIR) / "docs" / "benchmarks" / "results"


def commit() -> str:
    try:
        return subprocess.run(  # nosec B603 B607
            ["git", "rev-parse", "--short", "HEAD"], cwd=settings.BASE_DIR, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def load_average() -> list[float]:
    """The machine's load (1, 5, 15 minutes) as `uptime` shows it: the machine may be shared."""
    return [round(value, 2) for value in os.getloadavg()]


def scale_label(people: int) -> str:
    if people >= 1_000_000:
        return f"{people / 1_000_000:g}m"
    if people >= 1_000:
        return f"{people // 1_000}k"
    return str(people)


def path_for(document: dict) -> Path:
    meta = document["meta"]
    return RESULTS_DIR / f"{meta['started'][:10]}-{meta['commit']}-{scale_label(meta['people'])}.json"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def write(document: dict, path: Path | None = None) -> Path:
    path = path or path_for(document)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2, default=str) + "\n")
    return path


def _figures(document: dict) -> dict[str, float]:
    """Every comparable figure, flattened to `part / name / figure`."""
    figures = {}
    for row in document.get("pages", []):
        for key in ("median_ms", "p95_ms", "queries", "rows"):
            if isinstance(row.get(key), (int, float)):
                figures[f"pages / {row['name']} / {key}"] = row[key]
    for part in ("kpis", "w21", "jit"):
        for key, value in (document.get(part) or {}).items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                figures[f"{part} / {key}"] = value
    for name, run in (document.get("returns") or {}).items():
        for key in ("seconds", "rows_per_s", "peak_mb"):
            if isinstance(run.get(key), (int, float)):
                figures[f"returns / {name} / {key}"] = run[key]
    for key, value in ((document.get("load") or {}).get("all") or {}).items():
        figures[f"load / {key}"] = value
    return figures


def compare(before: dict, after: dict) -> list[str]:
    """Lines of `figure: before -> after (ratio)`, for the figures both files hold."""
    old, new = _figures(before), _figures(after)
    lines = [
        f"before: {before['meta']['commit']} at {before['meta']['people']:,} people ({before['meta']['started']})",
        f"after:  {after['meta']['commit']} at {after['meta']['people']:,} people ({after['meta']['started']})",
    ]
    width = max((len(name) for name in old.keys() & new.keys()), default=10)
    for name in sorted(old.keys() & new.keys()):
        ratio = f"x{new[name] / old[name]:.2f}" if old[name] else "-"
        lines.append(f"{name:<{width}}  {old[name]:>10}  {new[name]:>10}  {ratio}")
    for name in sorted(old.keys() - new.keys()):
        lines.append(f"{name:<{width}}  only before")
    for name in sorted(new.keys() - old.keys()):
        lines.append(f"{name:<{width}}  only after")
    return lines
