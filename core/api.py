"""Shared API pieces: domain errors as 400/409 answers, and audited, scoped viewsets."""

import re

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from core import audit
from core.errors import DomainError, StaleEditError


def domain_exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = {exc.field: [exc.message]} if exc.field else {"detail": exc.message}
        code = status.HTTP_409_CONFLICT if isinstance(exc, StaleEditError) else status.HTTP_400_BAD_REQUEST
        return Response(body, status=code)
    if isinstance(exc, DjangoPermissionDenied):
        exc = PermissionDenied(str(exc) or None)
    if isinstance(exc, DjangoValidationError):
        set_rollback()
        body = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    # Input the serializers let through but the database or a lookup refused (a value too long or out of
    # range for its column, a broken constraint, an id of the wrong type or of no record): the caller's
    # mistake, so a 400 with the database's words, which name the field or the column. Never a 500.
    if isinstance(exc, DataError | IntegrityError | ValueError | OverflowError | ObjectDoesNotExist):
        set_rollback()
        too_long = _fields_too_long(exc, context)
        if too_long:
            return Response(too_long, status=status.HTTP_400_BAD_REQUEST)
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return Response({"detail": f"The request could not be stored: {message}"}, status=400)
    return exception_handler(exc, context)


def _fields_too_long(exc, context) -> dict:
    """A string longer than its column, let through by a plain serializer that does not know the column: the
    database names only the limit, so name the request's fields whose text is over it (nested ones by path)."""
    found = re.search(r"character varying\((\d+)\)", str(exc)) if isinstance(exc, DataError) else None
    request = context.get("request")
    if not found or request is None:
        return {}
    limit = int(found.group(1))
    message = f"Ensure this field has no more than {limit} characters."
    return {name: [message] for name in _long_strings(request.data, limit)}


def _long_strings(data, limit: int, prefix: str = "") -> list[str]:
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    names = []
    for key, value in items:
        name = f"{prefix}{key}"
        if isinstance(value, str) and len(value) > limit:
            names.append(name)
        elif isinstance(value, dict | list):
            names.extend(_long_strings(value, limit, f"{name}."))
    return names


class AuditedReadMixin:
    """Every list and every single record read through the API writes an audit row."""

    def list(self, request, *args, **kwargs):
        # ListModelMixin.list, keeping hold of the page's rows so their ids go on the audit row.
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        data = self.get_serializer(rows, many=True).data
        response = self.get_paginated_response(data) if page is not None else Response(data)
        audit.audit_list_view(request, queryset.model, rows, filters=request.query_params.dict())
        return response

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        audit.audit_view(request, instance)
        return Response(self.get_serializer(instance).data)
