from django.urls import path

from reporting.dashboard import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("reports/", views.reports, name="reports"),
    path("reports/new/", views.report_new, name="report-new"),
    path("reports/<id:pk>/status/", views.report_status, name="report-status"),
    path("reports/<id:pk>/download/", views.report_download, name="report-download"),
    path("feedback/new/", views.feedback_new, name="feedback-new"),
]
