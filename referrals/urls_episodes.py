from django.urls import path

from referrals import views_episodes as views

urlpatterns = [
    path("caseload/", views.my_caseload, name="my-caseload"),
    path("allocation/", views.allocation_board, name="allocation-board"),
    path("reengagement/", views.reengagement_list, name="reengagement-list"),
    path("episodes/<int:pk>/", views.episode_detail, name="episode-detail"),
    path("episodes/<int:pk>/allocate/", views.allocate, name="episode-allocate"),
    path("episodes/<int:pk>/discharge/", views.episode_discharge, name="episode-discharge"),
    path("episodes/<int:pk>/partners/new/", views.partner_new, name="partner-new"),
    path("episodes/<int:pk>/carers/new/", views.carer_new, name="carer-new"),
    path("episodes/<int:pk>/orders/new/", views.order_new, name="order-new"),
    path("episodes/<int:pk>/arrest-referrals/new/", views.arrest_referral_new, name="arrest-referral-new"),
    path("episodes/<int:pk>/breaches/new/", views.breach_new, name="breach-new"),
    path("arrest-referrals/<int:pk>/assessed/", views.arrest_assessed, name="arrest-assessed"),
    path("breaches/<int:pk>/reported/", views.breach_reported, name="breach-reported"),
    path("episodes/<int:episode_pk>/carers/<int:pk>/end/", views.carer_end, name="carer-end"),
    path("follow-ups/<int:pk>/done/", views.follow_up_done, name="follow-up-done"),
    path("reengagement/<int:pk>/close/", views.reengagement_close, name="reengagement-close"),
    path("tasks/", views.my_tasks, name="my-tasks"),
    path("tasks/<int:pk>/done/", views.task_done, name="task-done"),
]
