from django.conf import settings
from django_otp.admin import OTPAdminSite


def protect_admin_with_otp(site):
    """In production the admin asks for a one-time password as well as the password."""
    if settings.ADMIN_REQUIRES_OTP:
        site.__class__ = OTPAdminSite
