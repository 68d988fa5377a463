"""The shared list pagination: bounded pages, capped counts, keyset cursors that survive ties and tampering."""

import pytest
from django.http import QueryDict
from django.test import RequestFactory

from core import pagination
from core.pagination import capped_count, paginate
from referrals.factories import PersonFactory
from referrals.models import Person

pytestmark = pytest.mark.django_db
ORDER = ("family_name", "given_name", "pk")


def _get(**params):
    return RequestFactory().get("/list/", {"team": "4", **params})


@pytest.fixture
def people():
    # Ties on both names, so only the pk orders them: the cursor must carry every ordering field.
    return [PersonFactory(family_name=f"Name{i // 4}", given_name=f"G{i % 2}") for i in range(23)]


def _walk(page_size, direction="next"):
    page = paginate(_get(), Person.objects.all(), ordering=ORDER, page_size=page_size)
    seen = list(page.rows)
    while page.has_next:
        page = paginate(
            RequestFactory().get("/list/" + page.next_query), Person.objects.all(), ordering=ORDER, page_size=page_size
        )
        seen += page.rows
    return seen, page


def test_keyset_pages_walk_every_row_once_in_order(people):
    seen, last = _walk(5)
    expected = list(Person.objects.order_by(*ORDER))
    assert seen == expected
    assert last.has_previous
    assert not last.has_next


def test_previous_from_a_page_returns_the_rows_before_it(people):
    expected = list(Person.objects.order_by(*ORDER))
    first = paginate(_get(), Person.objects.all(), ordering=ORDER, page_size=5)
    second = paginate(
        RequestFactory().get("/list/" + first.next_query), Person.objects.all(), ordering=ORDER, page_size=5
    )
    back = paginate(
        RequestFactory().get("/list/" + second.previous_query), Person.objects.all(), ordering=ORDER, page_size=5
    )
    assert second.rows == expected[5:10]
    assert back.rows == expected[:5]
    assert back.has_next
    assert not back.has_previous


def test_neighbour_links_keep_the_filters_of_the_page(people):
    page = paginate(_get(), Person.objects.all(), ordering=ORDER, page_size=5)
    params = QueryDict(page.next_query[1:])
    assert params["team"] == "4"
    assert params["after"]


def test_a_tampered_cursor_shows_the_first_page(people):
    page = paginate(_get(after="not-a-cursor"), Person.objects.all(), ordering=ORDER, page_size=5)
    assert page.rows == list(Person.objects.order_by(*ORDER)[:5])
    bad_values = pagination.encode_cursor(["x", "y", "not a number"])
    page = paginate(_get(after=bad_values), Person.objects.all(), ordering=ORDER, page_size=5)
    assert page.rows == list(Person.objects.order_by(*ORDER)[:5])


def test_descending_keyset_with_dates(people):
    order = ("-created_at", "-pk")
    page = paginate(_get(), Person.objects.all(), ordering=order, page_size=10)
    second = paginate(
        RequestFactory().get("/list/" + page.next_query), Person.objects.all(), ordering=order, page_size=10
    )
    assert page.rows + second.rows == list(Person.objects.order_by(*order)[:20])


def test_offset_pages_when_no_ordering_is_given(people):
    queryset = Person.objects.order_by("pk")
    page = paginate(_get(page="2"), queryset, page_size=10)
    assert page.rows == list(queryset[10:20])
    assert page.number == 2
    assert page.has_next
    assert page.has_previous
    assert page.previous_query == "?team=4"
    assert QueryDict(page.next_query[1:]).dict() == {"team": "4", "page": "3"}
    assert paginate(_get(page="junk"), queryset, page_size=10).number == 1


def test_the_count_stops_at_the_cap(people, monkeypatch):
    assert capped_count(Person.objects.all(), cap=30) == (23, False)
    assert capped_count(Person.objects.all(), cap=20) == (20, True)
    monkeypatch.setattr(pagination, "COUNT_CAP", 20)
    page = paginate(_get(), Person.objects.all(), ordering=ORDER, page_size=5)
    assert page.count_label == "more than 20"


def test_a_page_costs_two_queries_however_long_the_list(people, django_assert_num_queries):
    with django_assert_num_queries(2):
        page = paginate(_get(), Person.objects.all(), ordering=ORDER, page_size=5)
    assert len(page) == 5
