from django.urls import path

from assessment import views

app_name = "assessment"

urlpatterns = [
    path("episodes/<id:episode_pk>/", views.episode_assessment, name="episode-assessment"),
    path("episodes/<id:episode_pk>/tops/new/", views.top_new, name="top-new"),
    path("<id:pk>/sections/<slug:section>/", views.section_edit, name="section"),
    path("<id:pk>/complete/", views.complete, name="complete"),
    path("people/<id:person_pk>/outcomes/", views.person_outcomes, name="person-outcomes"),
]
