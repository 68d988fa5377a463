from django.urls import include, path

from reporting import urls_drilldown, views, views_imports, views_returns

app_name = "reporting"

urlpatterns = [
    path("kpis/recompute/", views.recomputation_request, name="recomputation-request"),
    path("kpis/recompute/<id:pk>/", views.recomputation_status, name="recomputation-status"),
    path("returns/", views_returns.return_months, name="return-months"),
    path("returns/exports/new/", views_returns.return_export_new, name="return-export-new"),
    path("returns/exports/<id:pk>/", views_returns.return_export, name="return-export"),
    path("returns/exports/<id:pk>/download/", views_returns.return_export_download, name="return-export-download"),
    path("returns/exports/<id:pk>/sent/", views_returns.return_export_sent, name="return-export-sent"),
    *urls_drilldown.urlpatterns,
    path("imports/", views_imports.imports, name="imports"),
    path("imports/<id:pk>/", views_imports.import_detail, name="import-detail"),
    path("imports/<id:pk>/status/", views_imports.import_status, name="import-status"),
    path("", include("reporting.dashboard.urls")),
]
