import uuid

from core import request_context
from core.request_context import RequestContext


class RequestContextMiddleware:
    """Gives each request an id that every audit row it writes carries (one action reads as one event)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request.headers.get("X-Request-ID") or str(uuid.uuid4())
        token = request_context.set(
            RequestContext(
                request_id=request.request_id,
                ip_address=request.META.get("REMOTE_ADDR"),
                path=request.path[:300],
                user=getattr(request, "user", None),
            )
        )
        try:
            response = self.get_response(request)
        finally:
            request_context.reset(token)
        response["X-Request-ID"] = request.request_id
        return response
