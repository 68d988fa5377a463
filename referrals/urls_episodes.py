from django.urls import path

from referrals import views_episodes as views

urlpatterns = [
    path("caseload/", views.my_caseload, name="my-caseload"),
    path("allocation/", views.allocation_board, name="allocation-board"),
    path("reengagement/", views.reengagement_list, name="reengagement-list"),
    path("episodes/<id:pk>/", views.episode_detail, name="episode-detail"),
    path("episodes/<id:pk>/allocate/", views.allocate, name="episode-allocate"),
    path("episodes/<id:pk>/discharge/", views.episode_discharge, name="episode-discharge"),
    path("episodes/<id:pk>/partners/new/", views.partner_new, name="partner-new"),
    path("episodes/<id:pk>/carers/new/", views.carer_new, name="carer-new"),
    path("episodes/<id:pk>/orders/new/", views.order_new, name="order-new"),
    path("episodes/<id:pk>/arrest-referrals/new/", views.arrest_referral_new, name="arrest-referral-new"),
    path("episodes/<id:pk>/breaches/new/", views.breach_new, name="breach-new"),
    path("arrest-referrals/<id:pk>/assessed/", views.arrest_assessed, name="arrest-assessed"),
    path("breaches/<id:pk>/reported/", views.breach_reported, name="breach-reported"),
    path("episodes/<id:episode_pk>/carers/<id:pk>/end/", views.carer_end, name="carer-end"),
    path("follow-ups/<id:pk>/done/", views.follow_up_done, name="follow-up-done"),
    path("reengagement/<id:pk>/close/", views.reengagement_close, name="reengagement-close"),
    path("tasks/", views.my_tasks, name="my-tasks"),
    path("tasks/<id:pk>/done/", views.task_done, name="task-done"),
]
