from django.urls import path

from reporting import api_drilldown as api

urlpatterns = [
    path("kpi-failures/<str:code>/", api.KpiFailuresView.as_view(), name="api-kpi-failures"),
    path("kpi-at-risk/", api.AtRiskView.as_view(), name="api-kpi-at-risk"),
    path("data-quality/episodes/", api.DataQualityEpisodesView.as_view(), name="api-data-quality-episodes"),
]
