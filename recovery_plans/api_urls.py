from recovery_plans import api_urls_modalities, api_urls_plans

urlpatterns = [*api_urls_plans.urlpatterns, *api_urls_modalities.urlpatterns]
