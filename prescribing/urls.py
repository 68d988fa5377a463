from django.urls import path

from prescribing import views

app_name = "prescribing"

urlpatterns = [
    path("clinic/", views.clinic, name="clinic"),
    path("waits/", views.waits_page, name="waits"),
    path("people/<id:pk>/", views.person_history, name="person-history"),
    path("episodes/<id:episode_pk>/clinical-assessment/", views.clinical_assessment_new, name="assessment-new"),
    path("episodes/<id:episode_pk>/prescriptions/new/", views.prescription_new, name="prescription-new"),
    path("prescriptions/<id:pk>/change-dose/", views.change_dose, name="change-dose"),
    path("people/<id:pk>/safe-storage/new/", views.safe_storage_new, name="safe-storage-new"),
    path("episodes/<id:episode_pk>/drug-tests/", views.drug_tests, name="drug-tests"),
    path("episodes/<id:episode_pk>/drug-tests/new/", views.drug_test_new, name="drug-test-new"),
    path("drug-tests/<id:pk>/custody/", views.drug_test_custody, name="drug-test-custody"),
    path("episodes/<id:episode_pk>/detox/", views.detox, name="detox"),
    path("episodes/<id:episode_pk>/detox/new/", views.detox_plan_new, name="detox-new"),
    path("episodes/<id:episode_pk>/residential/new/", views.residential_referral_new, name="residential-new"),
    path("episodes/<id:episode_pk>/shared-care/new/", views.shared_care_new, name="shared-care-new"),
    path("shared-care/<id:pk>/end/", views.shared_care_end, name="shared-care-end"),
]
