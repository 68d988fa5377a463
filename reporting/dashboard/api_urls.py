from django.urls import path
from rest_framework.routers import SimpleRouter

from reporting.dashboard import api

router = SimpleRouter()
router.register("kpi-comparators", api.KpiComparatorViewSet, basename="kpi-comparator")
router.register("quarterly-reports", api.QuarterlyReportViewSet, basename="quarterly-report")
router.register("service-feedback", api.ServiceFeedbackViewSet, basename="service-feedback")

urlpatterns = [
    path("management-information/", api.ManagementInformationView.as_view(), name="api-management-information"),
    *router.urls,
]
