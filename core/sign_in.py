"""Sign-in that resists guessing without letting one person lock out others.

Failures are counted per username (from every address) and per address (for every username), each against
its own limit: a shared office address does not lock a colleague out after someone else's five mistakes,
and one address trying many usernames is stopped too. The cool-off doubles with each lockout in the last
24 hours (from one minute, capped), so a patient guesser gets fewer tries per hour the longer they try.
"""

import ipaddress
from datetime import timedelta

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.shortcuts import render
from django.utils import timezone

from core import audit
from core.choices import AuditAction
from core.dates import clock_time, long_date
from core.forms import SignInForm
from core.models import AuditEvent

GROWTH_WINDOW = timedelta(hours=24)


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or the entry the trusted proxies added to the header named in settings.

    Only the right-most `CLIENT_IP_PROXY_COUNT` entries of the header were written by our own proxies; any
    entry further left came from the client and could be anything, so it is never read.
    """
    remote = request.META.get("REMOTE_ADDR")
    header = settings.CLIENT_IP_HEADER
    if not header:
        return remote
    entries = [entry.strip() for entry in request.META.get(header, "").split(",") if entry.strip()]
    count = settings.CLIENT_IP_PROXY_COUNT
    if len(entries) < count:
        return remote
    candidate = entries[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def _username(request) -> str:
    credentials = getattr(request, "axes_credentials", None)
    return str(get_client_username(request, credentials) or "")[:150]


def _recent_failures():
    # Lockout notes are audit rows of their own; only the failed attempts themselves count towards growth.
    return AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED, at__gte=timezone.now() - GROWTH_WINDOW).exclude(
        details__has_key="locked_out_until"
    )


def cool_off(request=None) -> timedelta:
    """AXES_COOLOFF_TIME: 1 minute at the first lockout, doubling with each later one in 24 hours, capped."""
    base = timedelta(minutes=settings.SIGN_IN_COOL_OFF_MINUTES)
    if request is None:
        return base
    username = _username(request)
    recent = _recent_failures()
    by_username = recent.filter(details__username=username).count() if username else 0
    ip = getattr(request, "axes_ip_address", None) or client_ip(request)
    by_ip = recent.filter(ip_address=ip).count() if ip else 0
    lockouts = max(by_username // settings.AXES_FAILURE_LIMIT, by_ip // settings.SIGN_IN_IP_FAILURE_LIMIT, 1)
    cap = timedelta(minutes=settings.SIGN_IN_COOL_OFF_CAP_MINUTES)
    return min(base * 2 ** min(lockouts - 1, 20), cap)


class SignInLockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with a limit per username and a separate, higher one per address."""

    def failure_counts(self, request, credentials=None) -> tuple[int, int]:
        recent = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
        username = get_client_username(request, credentials)
        by_username = (
            recent.filter(username=username).aggregate(n=Sum("failures_since_start"))["n"] or 0 if username else 0
        )
        by_ip = recent.filter(ip_address=request.axes_ip_address).aggregate(n=Sum("failures_since_start"))["n"] or 0
        return by_username, by_ip

    def get_failures(self, request, credentials=None) -> int:
        # Axes compares this one number with AXES_FAILURE_LIMIT (the username limit); an address past its
        # own limit therefore answers as if at the username limit.
        by_username, by_ip = self.failure_counts(request, credentials)
        if by_ip >= settings.SIGN_IN_IP_FAILURE_LIMIT:
            return max(by_username, settings.AXES_FAILURE_LIMIT)
        return by_username

    def reset_user_attempts(self, request, credentials=None) -> int:
        # Axes would clear every failure from the address too: one valid account would then wipe the count of
        # an address guessing at others. A successful sign-in forgives only that person's own failures.
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username).delete() if username else (0, None)
        return count


def try_again_at(request):
    return timezone.localtime(timezone.now() + cool_off(request))


def locked_out_message(when) -> str:
    return f"Too many failed attempts to sign in. Try again after {clock_time(when)} on {long_date(when)}"


def locked_out_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the sign-in page with an error naming when to try again (not a bare 403)."""
    # An unbound form: binding it would validate, that is try the password again and count another failure.
    form = SignInForm(request, initial={"username": _username(request)})
    form.cleaned_data = {}
    form.full_clean()
    form.add_error(None, locked_out_message(try_again_at(request)))
    return render(request, "core/sign_in.html", {"form": form}, status=settings.AXES_HTTP_RESPONSE_CODE)


def sign_in_unlock(*, user, by) -> int:
    """A data admin clears a member of staff's failed sign-ins, so they can try again now. Audited."""
    with transaction.atomic():
        cleared = reset(username=user.username)
        audit.record(AuditAction.CHANGE, user, actor=by, details={"sign_in": "unlocked", "attempts_cleared": cleared})
    return cleared


def locked_usernames() -> list[dict]:
    """Usernames with failed sign-ins still counting, most failures first (the data admin's unlock page)."""
    rows = (
        AccessAttempt.objects.exclude(username__isnull=True)
        .exclude(username="")
        .values("username")
        .annotate(failures=Sum("failures_since_start"))
        .order_by("-failures", "username")
    )
    return list(rows[:200])
