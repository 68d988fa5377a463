from django.contrib.auth import views as auth_views
from django.urls import path

from core import views, views_staff, views_subject_access, views_two_factor
from core.forms import SignInForm

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "sign-in/",
        auth_views.LoginView.as_view(template_name="core/sign_in.html", authentication_form=SignInForm),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("session/keep-alive/", views.session_keep_alive, name="session-keep-alive"),
    path("two-factor/", views_two_factor.two_factor_step, name="two-factor"),
    path("two-factor/reset/", views_two_factor.two_factor_reset, name="two-factor-reset"),
    path("sign-in/unlock/", views_two_factor.sign_in_unlock, name="sign-in-unlock"),
    path("staff/", views_staff.staff_list, name="staff-list"),
    path("staff/new/", views_staff.staff_new, name="staff-new"),
    path("staff/<id:pk>/", views_staff.staff_detail, name="staff-detail"),
    path("staff/<id:pk>/password/", views_staff.staff_password, name="staff-password"),
    path("staff/<id:pk>/active/", views_staff.staff_active, name="staff-active"),
    path("people/<id:pk>/subject-access/", views_subject_access.subject_access_page, name="subject-access"),
    path("people/<id:pk>/subject-access/pdf/", views_subject_access.subject_access_pdf, name="subject-access-pdf"),
]
