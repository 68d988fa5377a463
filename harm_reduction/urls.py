from django.urls import path

from harm_reduction import views, views_bbv, views_work

app_name = "harm_reduction"

urlpatterns = [
    path("nsp/", views.nsp, name="nsp"),
    path("nsp/today/", views.visits_today, name="visits-today"),
    path("nsp/return-rates/", views_work.return_rates, name="return-rates"),
    path("nsp/link/", views_work.link_attender, name="link-attender"),
    path("bbv/doses-due/", views.doses_due, name="doses-due"),
    path("bbv/hep-c-due/", views.hep_c_due, name="hep-c-due"),
    path("people/<id:pk>/", views_bbv.person_bbv, name="person-bbv"),
    path("people/<id:pk>/hep-b/new/", views_bbv.hep_b_offer_new, name="hep-b-new"),
    path("hep-b/<id:pk>/answer/", views_bbv.hep_b_outcome, name="hep-b-answer"),
    path("hep-b/<id:pk>/dose/", views_bbv.hep_b_dose, name="hep-b-dose"),
    path("people/<id:pk>/bbv-tests/new/", views_bbv.bbv_test_new, name="bbv-test-new"),
    path("bbv-tests/<id:pk>/answer/", views_bbv.bbv_answer, name="bbv-test-answer"),
    path("bbv-tests/<id:pk>/result/", views_bbv.bbv_result, name="bbv-test-result"),
    path("bbv-tests/<id:pk>/refer/", views_bbv.bbv_refer, name="bbv-test-refer"),
    path("naloxone/new/", views_work.naloxone_new, name="naloxone-new"),
    path("outreach/", views_work.outreach, name="outreach"),
    path("safeguarding/", views_work.safeguarding, name="safeguarding"),
    path("safeguarding/<id:pk>/done/", views_work.safeguarding_done, name="safeguarding-done"),
]
