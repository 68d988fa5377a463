from core.api_routers import IdRouter
from recovery_plans import api_modalities as api

router = IdRouter()
router.register("modalities", api.ModalityViewSet, basename="modality")
router.register("modality-reviews", api.ModalityReviewViewSet, basename="modality-review")

urlpatterns = router.urls
