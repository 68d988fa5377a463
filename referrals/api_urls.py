from django.urls import path

from referrals import api_search, api_urls_episodes, api_urls_intake

urlpatterns = [
    path("search/", api_search.PersonSearchView.as_view(), name="api-person-search"),
    *api_urls_intake.urlpatterns,
    *api_urls_episodes.urlpatterns,
]
