"""`make bench` (`python manage.py bench`): timings of the KPI engine, the pages and API lists, the return export
and import, and a load run, on an already seeded database; results are JSON files kept for comparison between
commits (docs/benchmarks.md). The same page measurements run in "smoke" mode in the test suite, asserting only
query counts and that every list is bounded."""
