from django.urls import path

from referrals import views_break_glass, views_sharing
from referrals import views_intake as views

urlpatterns = [
    path("new/", views.referral_new, name="referral-new"),
    path("queue/", views.referral_queue, name="referral-queue"),
    path("people/<id:pk>/", views.person_detail, name="person-detail"),
    path("people/<id:pk>/edit/", views.person_edit, name="person-edit"),
    path("people/<id:pk>/merge/", views.person_merge, name="person-merge"),
    path("merges/<id:pk>/undo/", views.person_merge_undo, name="person-merge-undo"),
    path("people/<id:person_pk>/referrals/new/", views.referral_new, name="person-referral-new"),
    path("referral/<id:pk>/contact/", views.contact_new, name="contact-new"),
    path("referral/<id:pk>/triage/", views.referral_triage, name="referral-triage"),
    path("referral/<id:pk>/close/", views.referral_close, name="referral-close"),
    path("break-glass/", views_break_glass.break_glass_open, name="break-glass"),
    path("break-glass/report/", views_break_glass.break_glass_report, name="break-glass-report"),
    path("people/<id:pk>/share/", views_sharing.share_new, name="person-share"),
    path("shares/", views_sharing.record_shares, name="record-shares"),
    path("shares/<id:pk>/end/", views_sharing.share_end, name="record-share-end"),
    path("shared-with-me/", views_sharing.shared_with_me, name="shared-with-me"),
]
