from core.api_routers import IdRouter
from harm_reduction import api

router = IdRouter()
router.register("nsp-attenders", api.AttenderViewSet, basename="nsp-attender")
router.register("nsp-visits", api.NspVisitViewSet, basename="nsp-visit")
router.register("hep-b-vaccinations", api.VaccinationViewSet, basename="hep-b-vaccination")
router.register("bbv-tests", api.BbvTestViewSet, basename="bbv-test")
router.register("naloxone-supplies", api.NaloxoneSupplyViewSet, basename="naloxone-supply")
router.register("outreach-contacts", api.OutreachContactViewSet, basename="outreach-contact")

urlpatterns = router.urls
