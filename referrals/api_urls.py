from referrals import api_urls_episodes, api_urls_intake

urlpatterns = [*api_urls_intake.urlpatterns, *api_urls_episodes.urlpatterns]
