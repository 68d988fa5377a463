"""Sharing a record with a worker outside the team: the manager's share and end pages, the worker's
"Shared with me" list and the list of shares for managers and the data admin."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render

from core import audit
from core.dates import long_date
from core.errors import DomainError
from core.forms import add_domain_error
from core.pagination import paginate
from referrals.forms_sharing import RecordShareForm
from referrals.models import Person
from referrals.roles import SHARE_RECIPIENT_ROLES
from referrals.services import sharing


@login_required
def share_new(request, pk):
    person = get_object_or_404(Person.objects.visible_to(request.user), pk=pk)
    if not sharing.may_share_person(request.user, person):
        raise PermissionDenied
    form = RecordShareForm(request.POST or None, recipients=sharing.recipients_for(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            share = sharing.share_record(
                actor=request.user, person=person, worker=data["worker"], reason=data["reason"], ends_on=data["ends_on"]
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            until = long_date(share.ends_on)
            messages.success(request, f"Record shared with {share.worker} until the end of {until}.")
            return redirect("referrals:person-detail", pk=person.pk)
    return render(request, "referrals/sharing/new.html", {"person": person, "form": form})


@login_required
def share_end(request, pk):
    share = get_object_or_404(sharing.shares_visible_to(request.user), pk=pk)
    if not sharing.may_end_share(request.user, share):
        raise PermissionDenied
    error = ""
    if request.method == "POST":
        try:
            sharing.end_share(actor=request.user, share=share)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, f"{share.worker} can no longer open {share.person.client_id}'s record.")
            return redirect("referrals:record-shares")
    audit.audit_view(request, share)
    return render(request, "referrals/sharing/end.html", {"share": share, "error": error})


@login_required
def shared_with_me(request):
    if not request.user.has_role(*SHARE_RECIPIENT_ROLES):
        raise PermissionDenied
    page = paginate(request, sharing.shares_with(request.user), ordering=("ends_on", "pk"))
    audit.audit_list_view(request, Person, [share.person for share in page.rows])
    return render(request, "referrals/sharing/shared_with_me.html", {"page": page})


@login_required
def record_shares(request):
    if not (request.user.is_superuser or sharing.may_list_shares(request.user)):
        raise PermissionDenied
    page = paginate(request, sharing.shares_visible_to(request.user), ordering=("-created_at", "-pk"))
    audit.audit_list_view(request, Person, [share.person for share in page.rows])
    return render(request, "referrals/sharing/list.html", {"page": page})
