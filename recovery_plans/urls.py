# Plans (versions, sign-off, reviews, PDF) and modalities (clocks, sub-intervention reviews) live in
# separate modules so each stays small; both share the "recovery_plans" namespace.
from recovery_plans import urls_modalities, urls_plans

app_name = "recovery_plans"

urlpatterns = [*urls_plans.urlpatterns, *urls_modalities.urlpatterns]
