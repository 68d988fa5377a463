"""The NHS.UK success banner after every successful save (issue 14): a form page that saves answers a POST with
a redirect, and the page it lands on shows what the view said (`messages.success`), or this general
confirmation when the view said nothing. So no form page can save silently, including ones added later."""

from django.contrib import messages

SAVED = "Your changes have been saved."
# Posts that redirect without saving a record: signing in and out, the second factor, the session keep-alive.
NOT_SAVES = {"login", "logout", "two-factor", "session-keep-alive"}
REDIRECTS = {301, 302, 303}


class SaveConfirmationMiddleware:
    """Sits after MessageMiddleware, so the message it adds is stored with the redirect."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if self._is_silent_save(request, response):
            messages.success(request, SAVED)
        return response

    @staticmethod
    def _is_silent_save(request, response) -> bool:
        if request.method != "POST" or response.status_code not in REDIRECTS:
            return False
        if request.path.startswith(("/api/", "/admin/")) or getattr(request, "htmx", False):
            return False
        match = getattr(request, "resolver_match", None)
        if match is None or match.url_name in NOT_SAVES:
            return False
        user = getattr(request, "user", None)
        return bool(user and user.is_authenticated and hasattr(request, "_messages") and not len(request._messages))
