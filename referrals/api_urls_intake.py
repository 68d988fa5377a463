from django.urls import path

from core.api_routers import IdRouter
from referrals import api_break_glass, api_intake, api_sharing

router = IdRouter()
router.register("people", api_intake.PersonViewSet, basename="person")
router.register("referrals", api_intake.ReferralViewSet, basename="referral")
router.register("person-merges", api_intake.PersonMergeViewSet, basename="person-merges")
router.register("record-shares", api_sharing.RecordShareViewSet, basename="record-share")

urlpatterns = [
    path("break-glass/", api_break_glass.BreakGlassView.as_view(), name="api-break-glass"),
    *router.urls,
]
