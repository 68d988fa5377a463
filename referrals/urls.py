# Intake (people, referrals, triage) and episode work (allocation, caseloads, discharge) live in
# separate modules so each stays small; both share the "referrals" namespace.
from referrals import urls_episodes, urls_intake

app_name = "referrals"

urlpatterns = [*urls_intake.urlpatterns, *urls_episodes.urlpatterns]
