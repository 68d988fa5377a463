from django.urls import path

from harm_reduction import views

app_name = "harm_reduction"

urlpatterns = [
    path("nsp/", views.nsp, name="nsp"),
    path("nsp/today/", views.visits_today, name="visits-today"),
    path("bbv/doses-due/", views.doses_due, name="doses-due"),
]
