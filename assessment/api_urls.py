from assessment import api
from core.api_routers import IdRouter

router = IdRouter()
router.register("assessments", api.AssessmentViewSet, basename="assessment")
router.register("tops", api.TopViewSet, basename="top")
router.register("outcomes", api.OutcomeViewSet, basename="outcome")

urlpatterns = router.urls
