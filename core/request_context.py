"""The current request's actor, id and address, so services can audit without being handed a request."""

from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    client_request_id: str = ""
    ip_address: str | None = None
    path: str = ""
    user: object | None = None
    # The audit rows this request has written so far (ReadAuditMiddleware checks a read page wrote one).
    audited: list = field(default_factory=list)
    # Work done once per request and reused by its later queries (referrals.querysets.visible_people).
    memo: dict = field(default_factory=dict)

    def note_audited(self, event) -> None:
        # Outside a request (a Celery worker, an import, a command) nothing reads the list, and the shared EMPTY
        # context would keep every event of a long-running process.
        if self is not EMPTY:
            self.audited.append(event)


_current: ContextVar[RequestContext | None] = ContextVar("request_context", default=None)
EMPTY = RequestContext()


def get() -> RequestContext:
    return _current.get() or EMPTY


def set(context: RequestContext):
    return _current.set(context)


def reset(token) -> None:
    _current.reset(token)
