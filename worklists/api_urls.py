from django.urls import path

from worklists import api

urlpatterns = [
    path("work-lists/team-episodes/", api.TeamEpisodesView.as_view(), name="api-team-episodes"),
    path("work-lists/follow-ups/", api.FollowUpsView.as_view(), name="api-follow-ups"),
    path("work-lists/team/", api.TeamView.as_view(), name="api-team"),
]
