from django.conf import settings

from core.navigation import navigation_for
from core.visibility import sees_identifiable_records


def navigation(request):
    # The header's search box: every role that may open a person's record (so never a commissioner).
    return {"nav_items": navigation_for(request), "can_search_people": sees_identifiable_records(request.user)}


def session_limits(request):
    """What the timeout warning needs (static/js/session-timeout.js), for signed-in pages only."""
    absolute_left = getattr(request, "session_seconds_left", None)
    if absolute_left is None:
        return {}
    return {
        "session_limits": {
            "idle_seconds": settings.SESSION_COOKIE_AGE,
            "idle_seconds_left": getattr(request, "session_idle_seconds_left", settings.SESSION_COOKIE_AGE),
            "absolute_seconds_left": absolute_left,
            "warning_seconds": settings.SESSION_WARNING_SECONDS,
        }
    }
