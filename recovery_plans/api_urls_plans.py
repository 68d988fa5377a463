from core.api_routers import IdRouter
from recovery_plans import api_plans as api

router = IdRouter()
router.register("recovery-plans", api.RecoveryPlanViewSet, basename="recovery-plan")
router.register("plan-versions", api.PlanVersionViewSet, basename="plan-version")
router.register("plan-reviews", api.PlanReviewViewSet, basename="plan-review")

urlpatterns = router.urls
