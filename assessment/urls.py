from django.urls import path

from assessment import views

app_name = "assessment"

urlpatterns = [
    path("episodes/<int:episode_pk>/", views.episode_assessment, name="episode-assessment"),
    path("episodes/<int:episode_pk>/tops/new/", views.top_new, name="top-new"),
    path("<int:pk>/sections/<slug:section>/", views.section_edit, name="section"),
    path("<int:pk>/complete/", views.complete, name="complete"),
    path("people/<int:person_pk>/outcomes/", views.person_outcomes, name="person-outcomes"),
]
