"""Walking a paginated list page by page in tests (core.pagination): use with a small page size."""

import pytest

from core import pagination

PAGE = 5


@pytest.fixture
def small_pages(monkeypatch):
    monkeypatch.setattr(pagination, "PAGE_SIZE", PAGE)


def walk(client, url, rows_of, django_assert_max_num_queries, limit):
    """Every page of a list from its first through "Next", each within `limit` queries: (every row shown, the
    largest page, the query count of the first page)."""
    seen, largest, first = [], 0, None
    while url:
        with django_assert_max_num_queries(limit) as captured:
            response = client.get(url)
        assert response.status_code == 200
        rows = list(rows_of(response.context))
        first = first if first is not None else len(captured)
        largest = max(largest, len(rows))
        seen += rows
        page = response.context["page"]
        url = response.wsgi_request.path + page.next_query if page.has_next else None
    return seen, largest, first


def assert_bounded(client, url, add, rows_of, django_assert_max_num_queries, limit=60):
    """A list of PAGE + 1 rows, then of 3 * PAGE + 1: the first page costs the same queries, no page shows more
    than PAGE rows, and "Next" reaches every row once. `add(n)` makes n more rows; returns every row shown."""
    add(PAGE + 1)
    _, _, short = walk(client, url, rows_of, django_assert_max_num_queries, limit)
    add(2 * PAGE)
    seen, largest, long = walk(client, url, rows_of, django_assert_max_num_queries, short)
    assert long == short
    assert largest == PAGE
    assert len(seen) == 3 * PAGE + 1
    return seen
