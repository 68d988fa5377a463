from axes.signals import user_locked_out
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_migrate
from django.dispatch import receiver

from core import audit
from core.choices import AuditAction, Role
from core.middleware import start_session_clocks
from core.registry import OUR_APPS, app_modules
from core.two_factor import trust_demo_device


@receiver(user_logged_in)
def audit_sign_in(sender, request, user, **kwargs):
    audit.record(AuditAction.SIGN_IN, user, actor=user)
    if request is not None and hasattr(request, "session"):
        trust_demo_device(request, user)
        start_session_clocks(request)


@receiver(user_logged_out)
def audit_sign_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record(AuditAction.SIGN_OUT, user, actor=user)


@receiver(user_login_failed)
def audit_failed_sign_in(sender, credentials, request=None, **kwargs):
    # The username someone typed is kept; the password never is.
    audit.record(AuditAction.SIGN_IN_FAILED, details={"username": str(credentials.get("username", ""))[:150]})


@receiver(user_locked_out)
def audit_locked_out(sender, request, username, ip_address, **kwargs):
    # The lockout itself, with when it ends; each failed attempt (during a lockout too) has its own row above.
    from core.sign_in import try_again_at

    audit.record(
        AuditAction.SIGN_IN_FAILED,
        details={"username": str(username or "")[:150], "locked_out_until": try_again_at(request).isoformat()},
    )


def role_permissions() -> dict[str, set[str]]:
    merged: dict[str, set[str]] = {role: set() for role in Role.values}
    for module in app_modules("roles"):
        for role, perms in getattr(module, "ROLE_PERMISSIONS", {}).items():
            merged[role].update(perms)
    return merged


@receiver(post_migrate)
def sync_role_permissions(sender, app_config=None, using="default", **kwargs):
    # After each of our apps migrates, so permissions of apps listed after core exist by the last one.
    if app_config is None or app_config.name not in OUR_APPS:
        return
    for role, wanted in role_permissions().items():
        group, _ = Group.objects.using(using).get_or_create(name=Role(role).label)
        perms = []
        for dotted in sorted(wanted):
            app_label, codename = dotted.split(".", 1)
            perm = Permission.objects.using(using).filter(content_type__app_label=app_label, codename=codename).first()
            if perm is not None:
                perms.append(perm)
        group.permissions.set(perms)
