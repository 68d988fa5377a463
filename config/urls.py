from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core.admin_site import protect_admin_with_otp
from core.health import healthz

protect_admin_with_otp(admin.site)

# Each app owns its pages (`<app>/urls.py`) and its API routes (`<app>/api_urls.py`).
APPS = ["referrals", "assessment", "recovery_plans", "prescribing", "harm_reduction", "worklists", "reporting"]

api_v1 = [
    path("", include("core.api_urls")),
    *[path("", include(f"{app}.api_urls")) for app in APPS],
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's script as a file; its page keeps one inline <style>, allowed there alone.
    path(
        "docs/",
        csp_update({"style-src": [UNSAFE_INLINE]})(SpectacularSwaggerSplitView.as_view(url_name="schema")),
        name="api-docs",
    ),
]

urlpatterns = [
    path("healthz/", healthz, name="healthz"),
    path("", include("core.urls")),
    *[path(f"{app.replace('_', '-')}/", include(f"{app}.urls")) for app in APPS],
    path("api/v1/", include(api_v1)),
    path("admin/", admin.site.urls),
]
