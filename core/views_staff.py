"""Staff accounts for data admins: the list, a new account, changes to details, roles and teams,
deactivation and a password reset. The rules and the audit are in core/staff_accounts.py."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render

from core import audit, staff_accounts
from core.errors import DomainError
from core.forms import add_domain_error
from core.forms_staff import AccountStateForm, EditStaffAccountForm, NewStaffAccountForm, PasswordResetForm
from core.pagination import paginate

User = get_user_model()


def _data_admin_only(request) -> None:
    if not staff_accounts.may_manage_accounts(request.user):
        raise PermissionDenied


@login_required
def staff_list(request):
    _data_admin_only(request)
    page = paginate(request, staff_accounts.accounts(), ordering=("last_name", "first_name", "username", "pk"))
    audit.audit_list_view(request, User, page.rows)
    return render(request, "core/staff/list.html", {"page": page})


@login_required
def staff_new(request):
    _data_admin_only(request)
    form = NewStaffAccountForm(request.POST or None, teams=staff_accounts.active_teams())
    if request.method == "POST" and form.is_valid():
        try:
            member = staff_accounts.create_account(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request, f"Account {member.username} created. They set up two-factor sign-in when they first sign in."
            )
            return redirect("staff-detail", pk=member.pk)
    return render(request, "core/staff/new.html", {"form": form})


@login_required
def staff_detail(request, pk):
    """One account: its details, roles and teams to change, and the links to reset or deactivate it."""
    _data_admin_only(request)
    member = get_object_or_404(staff_accounts.accounts(), pk=pk)
    initial = {
        "first_name": member.first_name,
        "last_name": member.last_name,
        "email": member.email,
        "roles": staff_accounts.role_values(member),
        "teams": list(member.teams.all()),
        "fingerprint": staff_accounts.fingerprint(member),
    }
    form = EditStaffAccountForm(request.POST or None, initial=initial, teams=staff_accounts.active_teams())
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        expected = data.pop("fingerprint")
        try:
            staff_accounts.update_account(actor=request.user, user=member, expected=expected, **data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"Account {member.username} saved.")
            return redirect("staff-detail", pk=member.pk)
    audit.audit_view(request, member)
    return render(request, "core/staff/detail.html", {"member": member, "form": form})


@login_required
def staff_password(request, pk):
    _data_admin_only(request)
    member = get_object_or_404(User, pk=pk, is_active=True)
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            staff_accounts.reset_password(actor=request.user, user=member, password=form.cleaned_data["password"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, f"New password set for {member.username}. Their open sessions have ended.")
            return redirect("staff-detail", pk=member.pk)
    return render(request, "core/staff/password.html", {"member": member, "form": form})


@login_required
def staff_active(request, pk):
    """Deactivate an active account, or reactivate a deactivated one, after a confirmation page."""
    _data_admin_only(request)
    member = get_object_or_404(staff_accounts.accounts(), pk=pk)
    form = AccountStateForm(request.POST or None, initial={"fingerprint": staff_accounts.fingerprint(member)})
    if request.method == "POST" and form.is_valid():
        try:
            member = staff_accounts.set_active(
                actor=request.user, user=member, active=not member.is_active, expected=form.cleaned_data["fingerprint"]
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            done = (
                "reactivated: they can sign in again" if member.is_active else "deactivated: they can no longer sign in"
            )
            messages.success(request, f"Account {member.username} {done}.")
            return redirect("staff-detail", pk=member.pk)
    return render(request, "core/staff/active.html", {"member": member, "form": form})
