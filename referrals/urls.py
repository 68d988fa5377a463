# Intake (people, referrals, triage) and episode work (allocation, caseloads, discharge) live in
# separate modules so each stays small; both share the "referrals" namespace.
from django.urls import path

from referrals import urls_episodes, urls_intake, views_search

app_name = "referrals"

urlpatterns = [
    path("search/", views_search.person_search, name="person-search"),
    *urls_intake.urlpatterns,
    *urls_episodes.urlpatterns,
]
