from django.urls import path

from core import api_staff, api_views
from core.api_routers import IdRouter

router = IdRouter()
router.register("audit-events", api_views.AuditEventViewSet, basename="audit-event")
router.register("jobs", api_views.JobRunViewSet, basename="job")
router.register("staff-accounts", api_staff.StaffAccountViewSet, basename="staff-account")

urlpatterns = [
    path("me/", api_views.MeView.as_view(), name="api-me"),
    path("reference/<str:list_name>/", api_views.ReferenceListView.as_view(), name="api-reference-list"),
    path("staff/<id:pk>/two-factor-reset/", api_views.TwoFactorResetView.as_view(), name="api-two-factor-reset"),
    path("staff/<id:pk>/sign-in-unlock/", api_views.SignInUnlockView.as_view(), name="api-sign-in-unlock"),
    path("people/<id:pk>/subject-access/", api_views.SubjectAccessView.as_view(), name="api-subject-access"),
    *router.urls,
]
