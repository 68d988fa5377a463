from core.api_routers import IdRouter
from prescribing import api

router = IdRouter()
router.register("clinical-assessments", api.ClinicalAssessmentViewSet, basename="clinical-assessment")
router.register("prescriptions", api.PrescriptionViewSet, basename="prescription")
router.register("drug-tests", api.DrugTestViewSet, basename="drug-test")
router.register("safe-storage", api.SafeStorageViewSet, basename="safe-storage")
router.register("shared-care", api.SharedCareViewSet, basename="shared-care")
router.register("detox-plans", api.DetoxPlanViewSet, basename="detox-plan")
router.register("residential-referrals", api.ResidentialReferralViewSet, basename="residential-referral")

urlpatterns = router.urls
