from core.api_routers import IdRouter
from referrals import api_episodes as api

router = IdRouter()
router.register("episodes", api.EpisodeViewSet, basename="episode")
router.register("allocations", api.AllocationViewSet, basename="allocation")
router.register("partner-involvements", api.PartnerInvolvementViewSet, basename="partner-involvement")
router.register("community-orders", api.CommunityOrderViewSet, basename="community-order")
router.register("arrest-referrals", api.ArrestReferralViewSet, basename="arrest-referral")
router.register("breach-reports", api.BreachReportViewSet, basename="breach-report")
router.register("carers", api.CarerViewSet, basename="carer")
router.register("follow-ups", api.FollowUpViewSet, basename="follow-up")
router.register("tasks", api.TaskViewSet, basename="task")
router.register("reengagement", api.ReengagementViewSet, basename="reengagement")

urlpatterns = router.urls
