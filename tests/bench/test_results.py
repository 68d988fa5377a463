"""Bench result files: the comparison of two commits, and the docs' table with its targets."""

from core.bench import results


def _document(commit, people, *, caseload_ms, service_s, load=(1.0, 1.0, 1.0)):
    return {
        "meta": {
            "commit": commit,
            "people": people,
            "started": "2026-12-07T17:00:00+00:00",
            "load_average_before": list(load),
            "load_average_after": list(load),
        },
        "kpis": {"service_s": service_s, "teams": 2, "teams_timed": 2, "all_teams_s": 1.0, "mean_team_s": 0.5},
        "pages": [
            {
                "name": "My caseload",
                "median_ms": caseload_ms,
                "p95_ms": caseload_ms * 2,
                "queries": 19,
                "rows": 50,
                "bounded": True,
                "target_ms": 100,
                "timed": 20,
            }
        ],
    }


def test_compare_sets_each_figure_beside_the_other_with_the_ratio():
    lines = results.compare(
        _document("aaa", 100_000, caseload_ms=400.0, service_s=9.0),
        _document("bbb", 100_000, caseload_ms=100.0, service_s=9.0),
    )

    assert any(line.startswith("pages / My caseload / median_ms") and line.endswith("x0.25") for line in lines)
    assert any(line.startswith("kpis / service_s") and line.endswith("x1.00") for line in lines)


def test_the_table_marks_a_missed_target_and_keeps_each_scale_in_its_column():
    table = "\n".join(
        results.markdown_table(
            [
                _document("aaa", 100_000, caseload_ms=80.0, service_s=9.0),
                _document("aaa", 1_000_000, caseload_ms=150.0, service_s=20.0),
            ]
        )
    )
    caseload = next(line for line in table.splitlines() if line.startswith("| My caseload"))
    service = next(line for line in table.splitlines() if line.startswith("| all KPIs, whole service"))

    assert caseload == (
        "| My caseload (median / p95) | < 100 ms median | 80.0 / 160.0 ms, 19 queries, 50 rows "
        "| 150.0 **missed** / 300.0 ms, 19 queries, 50 rows |"
    )
    assert service.endswith("| 9.0 | 20.0 **missed** |")


def test_two_parts_of_one_run_merge_into_one_column():
    first = _document("aaa", 100_000, caseload_ms=80.0, service_s=9.0, load=(3.0, 2.0, 1.0))
    second = {"meta": {**first["meta"], "commit": "bbb", "load_average_before": [7.0, 0, 0]}, "load": {"all": {}}}

    merged = results.merged([first, second])

    assert merged["meta"]["commit"] == "aaa/bbb"
    assert merged["meta"]["load_average_before"] == [3.0, 7.0]
    assert {"kpis", "pages", "load"} <= set(merged)
