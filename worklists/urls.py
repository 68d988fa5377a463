from django.urls import path

from worklists import views

app_name = "worklists"

urlpatterns = [
    path("team-episodes/", views.team_episodes, name="team-episodes"),
    path("follow-ups/", views.follow_ups, name="follow-ups"),
    path("team/", views.team, name="team"),
]
