"""The second step of signing in, enrolment with recovery codes, a data admin's reset of a lost device and
unlocking of an account locked by failed sign-ins."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from core import sign_in, two_factor
from core.choices import Role
from core.errors import DomainError
from core.forms import SignInUnlockForm, TwoFactorCodeForm, TwoFactorResetForm, add_domain_error


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    return target if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) else "/"


@login_required
def two_factor_step(request):
    """Enrol an authenticator (first sign-in, or after a reset) or type its code."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    enrolled = two_factor.is_enrolled(request.user)
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if enrolled:
                two_factor.two_factor_verify(request=request, token=form.cleaned_data["token"])
                return redirect(_next_url(request))
            codes = two_factor.two_factor_enrol(request=request, token=form.cleaned_data["token"])
            return render(request, "core/two_factor_recovery_codes.html", {"codes": codes, "next": _next_url(request)})
        except DomainError as error:
            add_domain_error(form, error)
    context = {"form": form, "next": _next_url(request)}
    if enrolled:
        return render(request, "core/two_factor_verify.html", context)
    device = two_factor.enrolment_device(user=request.user)
    context.update(qr_code=two_factor.qr_code_data_uri(device), secret=two_factor.manual_key(device))
    return render(request, "core/two_factor_enrol.html", context)


@login_required
def two_factor_reset(request):
    if not request.user.has_role(Role.DATA_ADMIN):
        raise PermissionDenied
    users = get_user_model().objects.filter(is_active=True).exclude(pk=request.user.pk).order_by("username")
    form = TwoFactorResetForm(request.POST or None, users=users)
    if request.method == "POST" and form.is_valid():
        member = form.cleaned_data["user"]
        try:
            two_factor.two_factor_reset(user=member, by=request.user)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"{member.username} will set up two-factor sign-in again when they next sign in.")
            return redirect("two-factor-reset")
    return render(request, "core/two_factor_reset.html", {"form": form})


@login_required
def sign_in_unlock(request):
    """A data admin lets a member of staff locked out by failed sign-ins try again now (audited)."""
    if not request.user.has_role(Role.DATA_ADMIN):
        raise PermissionDenied
    users = get_user_model().objects.filter(is_active=True).exclude(pk=request.user.pk).order_by("username")
    form = SignInUnlockForm(request.POST or None, users=users)
    if request.method == "POST" and form.is_valid():
        member = form.cleaned_data["user"]
        sign_in.sign_in_unlock(user=member, by=request.user)
        messages.success(request, f"{member.username} can sign in again now.")
        return redirect("sign-in-unlock")
    return render(request, "core/sign_in_unlock.html", {"form": form, "locked": sign_in.locked_usernames()})
