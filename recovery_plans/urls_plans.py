from django.urls import path

from recovery_plans import views_plans as views

urlpatterns = [
    path("sign-off/", views.sign_off_queue, name="plan-queue"),
    path("episodes/<id:episode_pk>/plan/", views.plan_detail, name="plan-detail"),
    path("episodes/<id:episode_pk>/plan/start/", views.plan_start, name="plan-start"),
    path("episodes/<id:episode_pk>/plan/new-version/", views.plan_new_version, name="plan-new-version"),
    path("episodes/<id:episode_pk>/plan/history/", views.plan_history, name="plan-history"),
    path("episodes/<id:episode_pk>/plan/reviews/", views.plan_reviews, name="plan-reviews"),
    path("episodes/<id:episode_pk>/plan/reviews/new/", views.review_new, name="plan-review-new"),
    path("plan-versions/<id:pk>/", views.version_detail, name="plan-version"),
    path("plan-versions/<id:pk>/own-words/", views.own_words_edit, name="plan-own-words"),
    path("plan-versions/<id:pk>/goals/add/", views.goal_edit, name="plan-goal-add"),
    path("plan-versions/<id:pk>/goals/<id:index>/", views.goal_edit, name="plan-goal-edit"),
    path("plan-versions/<id:pk>/goals/<id:index>/remove/", views.goal_remove, name="plan-goal-remove"),
    path("plan-versions/<id:pk>/planned-modalities/", views.planned_modalities_edit, name="plan-modalities"),
    path("plan-versions/<id:pk>/submit/", views.version_submit, name="plan-submit"),
    path("plan-versions/<id:pk>/sign-off/", views.version_sign_off, name="plan-sign-off"),
    path("plan-versions/<id:pk>/return/", views.version_return, name="plan-return"),
    path("plan-versions/<id:pk>/pdf/", views.version_pdf, name="plan-pdf"),
]
