from rest_framework.routers import SimpleRouter

from referrals import api_intake

router = SimpleRouter()
router.register("people", api_intake.PersonViewSet, basename="person")
router.register("referrals", api_intake.ReferralViewSet, basename="referral")
router.register("person-merges", api_intake.PersonMergeViewSet, basename="person-merges")

urlpatterns = router.urls
