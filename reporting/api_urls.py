from django.urls import include, path

from core.api_routers import IdRouter
from reporting import api, api_imports, api_returns, api_urls_drilldown

router = IdRouter()
router.register("kpis", api.KpiViewSet, basename="kpi")
router.register("kpi-snapshots", api.KpiSnapshotViewSet, basename="kpi-snapshot")
router.register("kpi-recomputations", api.KpiRecomputationViewSet, basename="kpi-recomputation")
router.register("return-exports", api_returns.ReturnExportViewSet, basename="return-export")
router.register("transfer-imports", api_imports.TransferImportViewSet, basename="transfer-import")

urlpatterns = [*router.urls, *api_urls_drilldown.urlpatterns, path("", include("reporting.dashboard.api_urls"))]
