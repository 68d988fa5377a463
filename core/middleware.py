import time
import uuid

import pghistory
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers
from django.utils.functional import SimpleLazyObject
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device

from core import audit, request_context
from core.choices import AuditAction
from core.request_context import RequestContext
from core.sign_in import client_ip

# A client's own X-Request-ID is kept beside ours for tracing, never instead of it, and never longer than this.
CLIENT_REQUEST_ID_MAX = 64
SIGNED_IN_AT = "signed_in_at"
RENEWED_AT = "renewed_at"
RENEW_AFTER_SECONDS = 60
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class RequestContextMiddleware:
    """Gives each request an id that every audit row it writes carries (one action reads as one event).

    The id is always made here: a client could otherwise stamp its actions with another request's id.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = str(uuid.uuid4())
        client_request_id = request.headers.get("X-Request-ID", "")[:CLIENT_REQUEST_ID_MAX]
        token = request_context.set(
            RequestContext(
                request_id=request.request_id,
                client_request_id=client_request_id,
                ip_address=client_ip(request),
                path=request.path[:300],
                user=getattr(request, "user", None),
            )
        )
        try:
            if request.method in WRITE_METHODS:
                # The change history's triggers (core.history) store who and which request with each change.
                user = getattr(request, "user", None)
                with pghistory.context(
                    request_id=request.request_id,
                    user=user.pk if getattr(user, "is_authenticated", False) else None,
                    path=request.path[:300],
                ):
                    response = self.get_response(request)
            else:
                response = self.get_response(request)
        finally:
            request_context.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


class ReadAuditMiddleware:
    """Reads audited in one place where a page cannot do it for itself, and a net under every other page.

    - The Django admin: a list page records the ids of the rows it showed, a change page the record.
    - Any other page read successfully (GET, 200) whose address names a record (an id in the path) and that
      wrote no audit row itself gets one naming the page and the ids, so a forgotten `audit_view` never means
      an unaudited read. Pages should still call `audit_view` with the record, which names it exactly.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.method != "GET" or response.status_code != 200 or not getattr(user, "is_authenticated", False):
            return response
        context = getattr(response, "context_data", None) or {}
        if "cl" in context:
            changelist = context["cl"]
            audit.audit_list_view(request, changelist.model, changelist.result_list, page="admin list")
        elif context.get("original") is not None:
            audit.audit_view(request, context["original"], page="admin change")
        elif not request_context.get().audited and _names_a_record(request):
            match = request.resolver_match
            audit.record(
                AuditAction.VIEW,
                actor=user,
                object_type=f"page:{match.view_name}"[:100],
                details={"url_kwargs": match.kwargs},
            )
        return response


def _names_a_record(request) -> bool:
    match = getattr(request, "resolver_match", None)
    return bool(match and any(isinstance(value, int) for value in match.kwargs.values()))


def start_session_clocks(request) -> None:
    """At sign-in: the 10 hours start, and the 30 idle minutes, saved with the sign-in's own session (so the first
    page after it need not save the session again)."""
    request.session[SIGNED_IN_AT] = time.time()
    renew_session(request)


def renew_session(request) -> None:
    """Start the idle limit's 30 minutes again: the session is saved (its expiry moves) with this response."""
    request.session[RENEWED_AT] = time.time()


class SessionLimitsMiddleware:
    """Signs a person out 10 hours after they signed in, however active, and renews the 30 minutes' idle limit
    (the stored session's expiry, SESSION_COOKIE_AGE) once a minute at most while they work.

    Saving the session on every request (SESSION_SAVE_EVERY_REQUEST) cost every page a transaction (BEGIN,
    UPDATE, COMMIT). The session now remembers when it was last renewed and is saved only when that was a
    minute ago or more, or when something else changed it; a person idle for 30 minutes after their last renewal
    is signed out, so at most a minute sooner after their last request, never later. The page and each answer
    (X-Session-Idle-Seconds-Left, for htmx) say how long is left, so the warning shows before the real end.

    Every request of a signed-in person also says `no-store`: pages, API answers, PDFs and exports hold
    identifiable data that must not stay in a browser's or proxy's cache.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            signed_in_at = request.session.setdefault(SIGNED_IN_AT, now)
            if now - signed_in_at > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                messages.info(request, "You were signed out because you had been signed in for 10 hours.")
                return redirect_to_login(request.get_full_path())
            if now - request.session.get(RENEWED_AT, 0) >= RENEW_AFTER_SECONDS:
                renew_session(request)
            request.session_seconds_left = int(settings.SESSION_ABSOLUTE_SECONDS - (now - signed_in_at))
            request.session_idle_seconds_left = idle_seconds_left(request)
        response = self.get_response(request)
        if request.user.is_authenticated:
            if request.session.modified:
                renew_session(request)  # any save moves the expiry
            response["X-Session-Idle-Seconds-Left"] = str(idle_seconds_left(request))
        if request.user.is_authenticated or request.path.startswith("/api/"):
            add_never_cache_headers(response)
        return response


def idle_seconds_left(request) -> int:
    renewed_at = request.session.get(RENEWED_AT, time.time())
    return int(settings.SESSION_COOKIE_AGE - (time.time() - renewed_at))


# What a person who has typed a password but no second factor yet may reach.
TWO_FACTOR_OPEN_PATHS = ("/sign-in/", "/sign-out/", "/two-factor/", "/healthz/", "/static/", "/session/keep-alive/")


class TwoFactorMiddleware:
    """Every page and API call needs both factors once a person has signed in (it replaces django-otp's
    OTPMiddleware, which only marked the user).

    The session holds a device id only after `django_otp.login` accepted a code, and a reset ends the person's
    sessions, so the id's presence is the proof: the device is read only if something asks for it, which keeps
    the check off every request's query count.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if not user.is_authenticated:
            return self.get_response(request)
        device_id = request.session.get(DEVICE_ID_SESSION_KEY)
        user.otp_device = SimpleLazyObject(lambda: Device.from_persistent_id(device_id)) if device_id else None
        user.is_verified = lambda: user.otp_device is not None
        if user.is_verified() or request.path.startswith(TWO_FACTOR_OPEN_PATHS):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": "Finish signing in with your second factor at /two-factor/ first."}, status=403
            )
        return redirect_to_login(request.get_full_path(), "/two-factor/")
