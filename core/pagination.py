"""Every list is bounded: one page of rows, a count that never walks the whole table, the same on pages and API.

Two ways through a list, both from `paginate`:

- keyset (`ordering=` given): "rows after this one" in the list's order, as a cursor in the URL. Page 2,000
  costs what page 1 costs, so large lists (a caseload, the clinic, the allocation board) use it. Each ordering
  field must be non-null and the last one unique (end with "pk").
- offset (no `ordering`): `?page=N` over the queryset's own order, for short lists.

The count is capped: at most `COUNT_CAP + 1` rows are counted, and a list longer than that says "more than
1,000", so drawing a page never costs a scan of every row in scope.

    page = paginate(request, selectors.current_caseload(user), ordering=selectors.CASELOAD_ORDER)
    render(request, "...", {"page": page})          # {% include "includes/pagination.html" %}; rows: page.rows

API viewsets get the same through `ListPagination` (the DRF default); `keyset_ordering = (...)` on a viewset
turns keyset on for it.
"""

import base64
import binascii
import json
from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import F, Q, QuerySet
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
COUNT_CAP = 1000
AFTER, BEFORE, PAGE = "after", "before", "page"


def capped_count(queryset: QuerySet, cap: int | None = None) -> tuple[int, bool]:
    """The number of rows, counting no further than `cap + 1`: (count, True) means "more than `cap`"."""
    cap = cap or COUNT_CAP
    if not isinstance(queryset, QuerySet):
        # A list the view built itself (the KPI forecast's at-risk records): already in memory, so len() is free.
        found = len(queryset)
        return (cap, True) if found > cap else (found, False)
    found = queryset.order_by().values("pk")[: cap + 1].count()
    return (cap, True) if found > cap else (found, False)


def count_label(count: int, capped: bool) -> str:
    return f"more than {count:,}" if capped else f"{count:,}"


@dataclass
class ListPage:
    """One page of a list, with what the pagination include and the API need to link its neighbours."""

    rows: list
    count: int
    count_capped: bool
    has_next: bool = False
    has_previous: bool = False
    # Query-string changes that reach the neighbours: {"after": cursor} or {"page": 3}.
    next_params: dict = field(default_factory=dict)
    previous_params: dict = field(default_factory=dict)
    number: int | None = None
    base_query: str = ""

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)

    @property
    def count_label(self) -> str:
        return count_label(self.count, self.count_capped)

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    @property
    def next_query(self) -> str:
        return _query(self.base_query, self.next_params)

    @property
    def previous_query(self) -> str:
        return _query(self.base_query, self.previous_params)


def _query(base_query: str, params: dict) -> str:
    url = "?" + base_query
    for name in (AFTER, BEFORE, PAGE):
        url = remove_query_param(url, name)
    for name, value in params.items():
        url = replace_query_param(url, name, value)
    return url


def _json_value(value):
    # Full isoformat: Django's JSON encoder drops microseconds, and a cursor must match its row exactly.
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def encode_cursor(values: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=_json_value).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, length: int) -> list | None:
    """The values of a cursor, or None for a missing or tampered one (which shows the first page)."""
    if not cursor:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error):
        return None
    return values if isinstance(values, list) and len(values) == length else None


def _parse_ordering(ordering) -> list[tuple[str, bool]]:
    return [(name.lstrip("-"), not name.startswith("-")) for name in ordering]


def _beyond(fields: list[tuple[str, bool]], values: list, *, forwards: bool) -> Q:
    """Rows strictly after (or before) the cursor row in the ordering: (a > x) or (a = x and b > y) ..."""
    rule = Q(pk__in=[])
    equal = Q()
    for (name, ascending), value in zip(fields, values, strict=True):
        lookup = "gt" if ascending == forwards else "lt"
        rule |= equal & Q(**{f"{name}__{lookup}": value})
        equal &= Q(**{name: value})
    return rule


def _keyset_rows(queryset, ordering, size: int, after, before) -> tuple[list, bool, bool]:
    fields = _parse_ordering(ordering)
    forwards = before is None
    cursor = after if forwards else before
    order_by = [F(n).asc() if asc == forwards else F(n).desc() for n, asc in fields]
    rows = queryset.order_by(*order_by)
    if cursor is not None:
        try:
            rows = rows.filter(_beyond(fields, cursor, forwards=forwards))
        except (ValidationError, ValueError, TypeError):
            # A cursor edited by hand: its values do not fit the fields, so start from the top.
            return _keyset_rows(queryset, ordering, size, None, None)
    rows = list(rows[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if forwards:
        return rows, more, cursor is not None
    rows.reverse()
    return rows, True, more


def _cursor_of(row, ordering) -> str:
    values = []
    for name, _ascending in _parse_ordering(ordering):
        value = row
        for part in name.split("__"):
            value = getattr(value, part)
        values.append(getattr(value, "pk", value))
    return encode_cursor(values)


def paginate(request, queryset, *, ordering=None, page_size: int | None = None, count: bool = True) -> ListPage:
    """A page of `queryset` from the request's `after`/`before` cursor (keyset) or `page` number (offset).

    `count=False` skips the count, for lists whose page already says how many there are."""
    params = request.GET if hasattr(request, "GET") else request.query_params
    page_size = page_size or PAGE_SIZE
    if not isinstance(queryset, QuerySet):
        # A list already worked out in Python (an API view over a computed list): it is in memory anyway.
        total, capped, ordering = len(queryset), False, None
    else:
        total, capped = capped_count(queryset) if count else (0, False)
    base_query = params.urlencode()
    if ordering:
        after = decode_cursor(params.get(AFTER), len(ordering))
        before = None if after else decode_cursor(params.get(BEFORE), len(ordering))
        rows, has_next, has_previous = _keyset_rows(queryset, ordering, page_size, after, before)
        page = ListPage(rows, total, capped, has_next, has_previous, base_query=base_query)
        if rows:
            page.next_params = {AFTER: _cursor_of(rows[-1], ordering)}
            page.previous_params = {BEFORE: _cursor_of(rows[0], ordering)}
        return page
    number = _page_number(params.get(PAGE))
    start = (number - 1) * page_size
    rows = list(queryset[start : start + page_size + 1])
    has_next = len(rows) > page_size
    page = ListPage(rows[:page_size], total, capped, has_next, number > 1, number=number, base_query=base_query)
    page.next_params = {PAGE: number + 1}
    page.previous_params = {PAGE: number - 1} if number > 2 else {}
    return page


def chosen_team(request, teams):
    """The team a list is narrowed to by `?team=`, if it is one of `teams` (the user's own); else None."""
    wanted = request.GET.get("team")
    return next((team for team in teams if str(team.pk) == wanted), None)


def _page_number(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return number if 1 <= number <= 1_000_000 else 1


def _keyset_of(queryset) -> tuple[str, ...] | None:
    """The queryset's own ordering, if it can be a keyset: plain non-null fields of the model ending with its
    primary key (`order_by("-referred_on", "-pk")`); else None (offset pages)."""
    if not isinstance(queryset, QuerySet):
        return None
    ordering = tuple(queryset.query.order_by)
    if not ordering or not all(isinstance(name, str) for name in ordering):
        return None
    if ordering[-1].lstrip("-") not in ("pk", "id", queryset.model._meta.pk.name):
        return None
    for name in ordering[:-1]:
        try:
            model_field = queryset.model._meta.get_field(name.lstrip("-"))
        except FieldDoesNotExist:
            return None
        if model_field.null or model_field.is_relation:
            return None
    return ordering


class ListPagination(BasePagination):
    """The API's pagination, the same as the pages': a capped count, and `?after=`/`?before=` cursors over the
    viewset's ordering where it can be a keyset (`keyset_of`, or the viewset's own `keyset_ordering`), else
    `?page=`. `page_size` (up to 200) may be asked for."""

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        size = _page_number(request.query_params.get("page_size")) if "page_size" in request.query_params else 0
        self.page = paginate(
            request,
            queryset,
            ordering=getattr(view, "keyset_ordering", None) or _keyset_of(queryset),
            page_size=min(size, MAX_PAGE_SIZE) if size else None,
        )
        return self.page.rows

    def _link(self, has: bool, params: dict):
        if not has:
            return None
        url = self.request.build_absolute_uri()
        for name in (AFTER, BEFORE, PAGE):
            url = remove_query_param(url, name)
        for name, value in params.items():
            url = replace_query_param(url, name, value)
        return url

    def get_paginated_response(self, data):
        page = self.page
        return Response(
            {
                "count": page.count,
                "count_capped": page.count_capped,
                "next": self._link(page.has_next, page.next_params),
                "previous": self._link(page.has_previous, page.previous_params),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["count", "count_capped", "results"],
            "properties": {
                "count": {"type": "integer", "example": 123, "description": f"Capped at {COUNT_CAP}."},
                "count_capped": {"type": "boolean", "description": f"True when there are more than {COUNT_CAP}."},
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        described = (
            (AFTER, "string", "The cursor in `next`: the rows after it."),
            (BEFORE, "string", "The cursor in `previous`: the rows before it."),
            (PAGE, "integer", "A page number, on lists whose order cannot be a cursor."),
            ("page_size", "integer", f"Rows per page, {PAGE_SIZE} unless asked, at most {MAX_PAGE_SIZE}."),
        )
        return [
            {"name": name, "required": False, "in": "query", "schema": {"type": kind}, "description": description}
            for name, kind, description in described
        ]
