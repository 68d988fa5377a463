from django.urls import path

from reporting import views_drilldown as views

# The pages that act on the KPIs (drill-down, forecast, data quality); the dashboard's live in urls.py.
urlpatterns = [
    path("team-kpis/", views.team_kpis, name="team-kpis"),
    path("team-kpis/<str:code>/", views.kpi_drilldown, name="kpi-drilldown"),
    path("at-risk/", views.at_risk_page, name="at-risk"),
    path("data-quality/", views.data_quality, name="data-quality"),
]
