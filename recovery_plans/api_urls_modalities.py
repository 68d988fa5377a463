from rest_framework.routers import SimpleRouter

from recovery_plans import api_modalities as api

router = SimpleRouter()
router.register("modalities", api.ModalityViewSet, basename="modality")
router.register("modality-reviews", api.ModalityReviewViewSet, basename="modality-review")

urlpatterns = router.urls
