"""The current request's actor, id and address, so services can audit without being handed a request."""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip_address: str | None = None
    path: str = ""
    user: object | None = None


current = ContextVar("request_context", default=RequestContext())
