from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("kpis/recompute/", views.recomputation_request, name="recomputation-request"),
    path("kpis/recompute/<int:pk>/", views.recomputation_status, name="recomputation-status"),
]
