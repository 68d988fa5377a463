from django.urls import path

from recovery_plans import views_modalities as views

urlpatterns = [
    path("modalities/waiting/", views.modality_clocks, name="modality-clocks"),
    path("episodes/<id:episode_pk>/modalities/", views.modality_list, name="modality-list"),
    path("episodes/<id:episode_pk>/modalities/refer/", views.modality_refer, name="modality-refer"),
    path("modalities/<id:pk>/offer/", views.modality_offer, name="modality-offer"),
    path("modalities/<id:pk>/start/", views.modality_start, name="modality-start"),
    path("modalities/<id:pk>/end/", views.modality_end, name="modality-end"),
    path("modalities/<id:pk>/close/", views.modality_close_unstarted, name="modality-close-unstarted"),
    path("modalities/<id:pk>/review/", views.modality_review, name="modality-review"),
]
