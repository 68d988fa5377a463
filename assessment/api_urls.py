from rest_framework.routers import SimpleRouter

from assessment import api

router = SimpleRouter()
router.register("assessments", api.AssessmentViewSet, basename="assessment")
router.register("tops", api.TopViewSet, basename="top")
router.register("outcomes", api.OutcomeViewSet, basename="outcome")

urlpatterns = router.urls
