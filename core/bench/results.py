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


def _cell(value, target=None, *, more_is_better=False, unit=""):
    if value is None:
        return "-"
    text = f"{value:,}{unit}" if isinstance(value, (int, float)) else str(value)
    if target is not None and (value < target if more_is_better else value > target):
        text += " **missed**"
    return text


def merged(parts: list[dict]) -> dict:
    """Parts of one scale's run (say kpis and pages, then returns and load) as one document; the meta is the
    first part's, with each part's commit and load averages kept."""
    document = {key: value for part in parts for key, value in part.items() if key != "meta"}
    meta = dict(parts[0]["meta"])
    meta["commit"] = "/".join(dict.fromkeys(part["meta"]["commit"] for part in parts))
    meta["load_average_before"] = [part["meta"]["load_average_before"][0] for part in parts]
    meta["load_average_after"] = [part["meta"]["load_average_after"][0] for part in parts]
    return {"meta": meta, **document}


def markdown_table(documents: list[dict]) -> list[str]:
    """The measured table of docs/benchmarks.md: one column per result file (a scale), each target beside its
    measure, and "missed" where a figure misses it."""
    header = ["measure", "target", *(f"{doc['meta']['people']:,} people" for doc in documents)]
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]

    def row(name, target, cells):
        lines.append("| " + " | ".join([name, target, *cells]) + " |")

    row("commit", "", [doc["meta"]["commit"] for doc in documents])
    row("load average before / after", "", [_loads(doc) for doc in documents])
    row("all KPIs, whole service (s)", "< 15", [_cell(_get(d, "kpis", "service_s"), 15) for d in documents])
    row("all KPIs, every reporting team (s)", "", [_teams(d) for d in documents])
    row("W21 engine / raw-SQL floor (ms)", "ratio <= 1.5", [_w21(d) for d in documents])
    row("JIT on / off, scoped people count (ms)", "", [_jit(d) for d in documents])
    for name, target_of in _page_names(documents):
        cells = []
        for doc in documents:
            page = next((p for p in doc.get("pages", []) if p["name"] == name), None)
            if page is None:
                cells.append("-")
                continue
            median = _cell(page["median_ms"], page["target_ms"])
            rows = f", {page['rows']} rows" if page["rows"] is not None else ""
            rows += "" if page["bounded"] else " **more than a page**"
            once = " (timed once)" if page.get("timed") == 1 else ""
            cells.append(f"{median} / {page['p95_ms']:,} ms, {page['queries']} queries{rows}{once}")
        row(f"{name} (median / p95)", f"< {target_of} ms median", cells)
    for key, label in (("monthly_export", "monthly return export"), ("transfer_export", "transfer file export")):
        row(f"{label}: rows/s, peak MB", ">= 50,000 rows/s, < 300 MB", [_export(d, key) for d in documents])
    row("transfer import: rows/s, peak MB", ">= 5,000 rows/s", [_import(d) for d in documents])
    row("load run: requests/s", "", [_cell(_get(d, "load", "all", "requests_per_s")) for d in documents])
    row("load run: p50 / p95 / p99 (ms)", "p95 < 300", [_load_times(d) for d in documents])
    row("load run: errors", "none", [_load_errors(d) for d in documents])
    return lines


def _get(document, *keys):
    for key in keys:
        if not isinstance(document, dict) or key not in document:
            return None
        document = document[key]
    return document


def _loads(doc):
    meta = doc["meta"]
    before, after = meta["load_average_before"], meta["load_average_after"]
    if isinstance(before[0], list) or len(before) != 3:  # merged parts: each part's 1-minute load
        return ", ".join(f"{b} / {a}" for b, a in zip(before, after, strict=True))
    return f"{before[0]} / {after[0]}"


def _teams(doc):
    kpis = doc.get("kpis")
    if not kpis:
        return "-"
    timed = kpis.get("teams_timed", kpis["teams"])
    sampled = f" ({timed} timed, mean {kpis['mean_team_s']} s)" if timed < kpis["teams"] else ""
    return f"{kpis['all_teams_s']:,} for {kpis['teams']} teams{sampled}"


def _w21(doc):
    w21 = doc.get("w21")
    if not w21:
        return "-"
    agree = "agree" if w21["agree"] else "**disagree**"
    return f"{w21['engine_ms']:,} / {w21['floor_ms']:,} = {_cell(w21['ratio'], 1.5)} ({agree})"


def _jit(doc):
    jit = doc.get("jit")
    if not jit:
        return "-"
    if not jit["jit_available"]:
        return "JIT not available on this server"
    return f"{jit['on_ms']:,} / {jit['off_ms']:,} (off saves {jit['gain_ms']:,})"


def _page_names(documents):
    seen = {}
    for doc in documents:
        for page in doc.get("pages", []):
            seen.setdefault(page["name"], page["target_ms"])
    return list(seen.items())


def _export(doc, key):
    run = _get(doc, "returns", key)
    if not run:
        return "-"
    failed = " **failed**" if run["status"] else ""
    speed = _cell(run["rows_per_s"], 50_000, more_is_better=True)
    return f"{speed}, {_cell(run['peak_mb'], 300)} ({run['rows']:,} rows in {run['seconds']} s){failed}"


def _import(doc):
    run = _get(doc, "returns", "transfer_import")
    if not run:
        return "-"
    failed = " **failed**" if run["status"] else ""
    speed = _cell(run["rows_per_s"], 5_000, more_is_better=True)
    return f"{speed}, {run['peak_mb']:,} ({run['rows']:,} rows in {run['seconds']} s){failed}"


def _load_times(doc):
    figures = _get(doc, "load", "all")
    if not figures:
        return "-"
    return f"{figures['p50_ms']:,} / {_cell(figures['p95_ms'], 300)} / {figures['p99_ms']:,}"


def _load_errors(doc):
    load = doc.get("load")
    if not load:
        return "-"
    failures = load["all"]["failures"]
    return (
        "none"
        if not failures
        else f"**{failures} of {load['all']['requests']:,}** ({'; '.join(load.get('errors', []))})"
    )
