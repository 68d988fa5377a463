from django.urls import path

from recovery_plans import views_modalities as views

urlpatterns = [
    path("modalities/waiting/", views.modality_clocks, name="modality-clocks"),
    path("episodes/<int:episode_pk>/modalities/", views.modality_list, name="modality-list"),
    path("episodes/<int:episode_pk>/modalities/refer/", views.modality_refer, name="modality-refer"),
    path("modalities/<int:pk>/offer/", views.modality_offer, name="modality-offer"),
    path("modalities/<int:pk>/start/", views.modality_start, name="modality-start"),
    path("modalities/<int:pk>/end/", views.modality_end, name="modality-end"),
    path("modalities/<int:pk>/close/", views.modality_close_unstarted, name="modality-close-unstarted"),
    path("modalities/<int:pk>/review/", views.modality_review, name="modality-review"),
]
