import time

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from core.choices import Role
from core.middleware import renew_session


@login_required
def home(request):
    roles = request.user.roles
    if roles == {Role.COMMISSIONER}:
        # A commissioner has one place to go: the KPI dashboard (a URL name, so core imports no app).
        try:
            return redirect(reverse("reporting:dashboard"))
        except NoReverseMatch:
            pass
    return render(
        request,
        "core/home.html",
        {
            "role_labels": [Role(role).label for role in sorted(roles)],
            "is_data_admin": Role.DATA_ADMIN in roles,
        },
    )


@require_POST
@login_required
def session_keep_alive(request):
    """'Stay signed in' on the timeout warning: this request renews the session; the answer says for how long."""
    renew_session(request)
    signed_in_at = request.session.get("signed_in_at", time.time())
    absolute_left = int(settings.SESSION_ABSOLUTE_SECONDS - (time.time() - signed_in_at))
    return JsonResponse({"idle_seconds": settings.SESSION_COOKIE_AGE, "absolute_seconds_left": absolute_left})
