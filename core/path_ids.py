"""Record ids in addresses: a path that names a record by something other than a whole number above 0 is a
400 naming the path parameter, on every page and API route, decided here once.

Django's `<int:>` converter does not match `abc`, so such an address was a 404 ("no such page") rather than
a refusal saying what was wrong. The `id` converter matches any one segment; a segment that is not a valid
id reaches the view as an `InvalidId`, and `InvalidPathIdMiddleware` answers 400 before the view runs.
"""

from django.http import JsonResponse
from django.shortcuts import render
from django.urls import register_converter

# The widest primary key column (bigint); beyond it no record can exist, and PostgreSQL would refuse the value.
ID_MAX = 2**63 - 1
MESSAGE = "Enter a record id: a whole number above 0."


class InvalidId(str):
    """A path segment that is not a record id; never looked up."""


class IdConverter:
    regex = "[^/]+"

    def to_python(self, value: str):
        if value.isascii() and value.isdigit() and 0 < int(value) <= ID_MAX:
            return int(value)
        return InvalidId(value)

    def to_url(self, value) -> str:
        return str(value)


def register() -> None:
    register_converter(IdConverter, "id")


def invalid_parameters(view_kwargs: dict) -> list[str]:
    return sorted(name for name, value in view_kwargs.items() if isinstance(value, InvalidId))


class InvalidPathIdMiddleware:
    """A 400 naming each path parameter that is not a record id: JSON for the API, an NHS.UK page otherwise."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        names = invalid_parameters(view_kwargs)
        if not names:
            return None
        if request.path.startswith("/api/"):
            return JsonResponse({name: [MESSAGE] for name in names}, status=400)
        return render(request, "400.html", {"parameters": names, "message": MESSAGE}, status=400)
