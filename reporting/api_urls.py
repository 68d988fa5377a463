from rest_framework.routers import SimpleRouter

from reporting import api

router = SimpleRouter()
router.register("kpis", api.KpiViewSet, basename="kpi")
router.register("kpi-snapshots", api.KpiSnapshotViewSet, basename="kpi-snapshot")
router.register("kpi-recomputations", api.KpiRecomputationViewSet, basename="kpi-recomputation")

urlpatterns = router.urls
