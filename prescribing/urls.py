from django.urls import path

from prescribing import views

app_name = "prescribing"

urlpatterns = [
    path("clinic/", views.clinic, name="clinic"),
    path("waits/", views.waits_page, name="waits"),
    path("people/<int:pk>/", views.person_history, name="person-history"),
    path("episodes/<int:episode_pk>/clinical-assessment/", views.clinical_assessment_new, name="assessment-new"),
    path("episodes/<int:episode_pk>/prescriptions/new/", views.prescription_new, name="prescription-new"),
    path("prescriptions/<int:pk>/change-dose/", views.change_dose, name="change-dose"),
]
