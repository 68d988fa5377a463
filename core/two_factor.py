"""Two-factor sign-in for every member of staff (TOTP with django-otp, ten single-use recovery codes).

After the password, a person without a confirmed authenticator enrols (a QR code, then one code from the app);
a person with one types its code or a recovery code. Until then every page and API call is refused
(`core.middleware.TwoFactorMiddleware`). A data admin resets a lost device; the person enrols again.
"""

import base64
import secrets

import segno
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import audit
from core.choices import AuditAction
from core.errors import DomainError

RECOVERY_CODE_COUNT = 10
AUTHENTICATOR = "Authenticator app"
RECOVERY_CODES = "Recovery codes"
# Demo accounts carry a device of this name; outside production (`TWO_FACTOR_TRUST_DEMO_DEVICES`) signing in
# with one counts as the second factor, so the published demo logins work without an authenticator app.
DEMO_DEVICE = "Demo enrolment"


def is_enrolled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def enrolment_device(*, user) -> TOTPDevice:
    """The unconfirmed authenticator this person is enrolling (the same one until they confirm it)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)


def manual_key(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it typed: base32, in groups of four."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The provisioning URI as an SVG image (a data: URI, which the Content-Security-Policy allows)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def _new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user, name=RECOVERY_CODES).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_CODES, confirmed=True)
    codes = [f"{secrets.randbelow(10**10):010d}" for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def two_factor_enrol(*, request, token: str) -> list[str]:
    """Confirm the authenticator with one of its codes; answers the ten recovery codes, shown once."""
    user = request.user
    device = enrolment_device(user=user)
    if not device.verify_token(token.strip()):
        raise DomainError("Enter the 6-digit code your authenticator app shows now", field="token")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    codes = _new_recovery_codes(user)
    otp_login(request, device)
    audit.record(AuditAction.CHANGE, user, actor=user, details={"two_factor": "enrolled"})
    return codes


def two_factor_verify(*, request, token: str) -> None:
    """The second step of signing in: a code from the authenticator, or one recovery code (used up)."""
    user = request.user
    device = match_token(user, token.strip().replace(" ", ""))
    if device is None:
        audit.record(AuditAction.SIGN_IN_FAILED, actor=user, details={"username": user.username, "step": "code"})
        raise DomainError(
            "Enter the 6-digit code from your authenticator app, or one of your recovery codes", field="token"
        )
    otp_login(request, device)
    used = "recovery code" if isinstance(device, StaticDevice) else "authenticator"
    audit.record(AuditAction.SIGN_IN, user, actor=user, details={"two_factor": used})


def trust_demo_device(request, user) -> bool:
    """Outside production, a demo account's sign-in counts as both factors."""
    if not settings.TWO_FACTOR_TRUST_DEMO_DEVICES:
        return False
    device = StaticDevice.objects.filter(user=user, name=DEMO_DEVICE).first()
    if device is None:
        return False
    otp_login(request, device)
    return True


def mark_demo_enrolled(user) -> None:
    StaticDevice.objects.get_or_create(user=user, name=DEMO_DEVICE, defaults={"confirmed": True})


def end_sessions_of(user) -> int:
    # Sessions are signed blobs, so finding one person's means reading them all: a rare action, by a data admin.
    ended = [
        session.pk
        for session in Session.objects.iterator()
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk)
    ]
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


@transaction.atomic
def two_factor_reset(*, user, by) -> None:
    """A lost phone: every device of the person goes, and so do their sessions; they enrol at next sign-in."""
    if by.pk == user.pk:
        raise DomainError("Ask another data admin to reset your own two-factor sign-in", field="user")
    removed = [
        str(device) for device in (*TOTPDevice.objects.filter(user=user), *StaticDevice.objects.filter(user=user))
    ]
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    sessions = end_sessions_of(user)
    audit.record(
        AuditAction.CHANGE,
        user,
        actor=by,
        details={"two_factor": "reset", "devices": removed, "sessions_ended": sessions},
    )
