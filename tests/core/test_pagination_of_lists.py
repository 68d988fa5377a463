"""A list a view builds in memory (the KPI forecast's at-risk records) pages like a queryset: it was a 500."""

from django.test import RequestFactory

from core.pagination import capped_count, paginate


def test_a_plain_list_is_counted_and_paged():
    rows = list(range(120))
    assert capped_count(rows) == (120, False)
    assert capped_count(rows, cap=100) == (100, True)
    page = paginate(RequestFactory().get("/", {"page": 3}), rows)
    assert (page.rows, page.count, page.has_next, page.has_previous) == (list(range(100, 120)), 120, False, True)
