"""Bad input is a 400 naming the field, never a 500: the defaults every API view shares.

Set once here rather than endpoint by endpoint: a JSON parser with a nesting limit, date bounds on every
date field, a 32-bit range on every integer field that names none, and list filters on a record id that
only accept ids the user may see (so an out-of-scope id answers the same as one that does not exist).
"""

import datetime
import json

from django.conf import settings
from django_filters import ModelChoiceFilter, ModelMultipleChoiceFilter
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)
# PostgreSQL's integer column; a wider column (bigint) names its own bounds on its serializer field.
INTEGER_MIN, INTEGER_MAX = -(2**31), 2**31 - 1
MAX_JSON_DEPTH = 20


def _depth(value, limit: int) -> int:
    """Depth of nested lists and objects, stopping once past `limit` (no recursion: input is hostile)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


class BoundedJSONParser(JSONParser):
    """JSON with at most MAX_JSON_DEPTH levels of nesting; deeper is a 400, not a RecursionError."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.loads(stream.read().decode(encoding))
        except RecursionError as exc:
            raise ParseError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels.") from exc
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
        if _depth(data, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
            raise ParseError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels.")
        return data


def _as_date(value):
    return value.date() if isinstance(value, datetime.datetime) else value


def _bounded(original):
    def to_internal_value(self, value):
        result = original(self, value)
        if not EARLIEST_DATE <= _as_date(result) <= LATEST_DATE:
            raise serializers.ValidationError("Enter a date between 1900 and 2100.")
        return result

    return to_internal_value


def _integer_init(original):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_value", INTEGER_MAX)
        kwargs.setdefault("min_value", INTEGER_MIN)
        original(self, **kwargs)

    return __init__


def install_serializer_defaults() -> None:
    """Called once from CoreConfig.ready: every serializer, model or plain, gets the bounds."""
    serializers.DateField.to_internal_value = _bounded(serializers.DateField.to_internal_value)
    serializers.DateTimeField.to_internal_value = _bounded(serializers.DateTimeField.to_internal_value)
    serializers.IntegerField.__init__ = _integer_init(serializers.IntegerField.__init__)


class ScopedFilterBackend(DjangoFilterBackend):
    """A `?person=` or `?episode=` filter accepts only records the user may see.

    django-filter's default choice set is every row, so an out-of-scope id gave an empty list while an
    unknown one gave a 400: the difference told a caller that the record exists. Both are now the same 400.
    """

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is None:
            return None
        for name, field in filterset.form.fields.items():
            filter_ = filterset.filters.get(name)
            if not isinstance(filter_, ModelChoiceFilter | ModelMultipleChoiceFilter):
                continue
            model = field.queryset.model
            if hasattr(model.objects, "visible_to"):
                field.queryset = model.objects.visible_to(request.user)
        return filterset
