from django.urls import path

from core.api_routers import IdRouter
from reporting.dashboard import api

router = IdRouter()
router.register("kpi-comparators", api.KpiComparatorViewSet, basename="kpi-comparator")
router.register("quarterly-reports", api.QuarterlyReportViewSet, basename="quarterly-report")
router.register("service-feedback", api.ServiceFeedbackViewSet, basename="service-feedback")

urlpatterns = [
    path("management-information/", api.ManagementInformationView.as_view(), name="api-management-information"),
    *router.urls,
]
