"""Work list pages: a page of rows from `selectors`, one audit row naming them, the role's menu entry."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from core import audit
from core.models import User
from core.pagination import paginate
from referrals.models import Episode, FollowUp
from worklists import access, selectors


def _int_or_none(value):
    return int(value) if value and value.isdigit() else None


@login_required
def team_episodes(request):
    access.require(request.user, access.TEAM_EPISODES_ROLES)
    stage = request.GET.get("stage", "")
    stage = stage if stage in selectors.Stage.values else ""
    keyworker_id = _int_or_none(request.GET.get("keyworker"))
    rows = selectors.team_episodes(request.user, stage=stage, keyworker_id=keyworker_id)
    # Longest waiting first: the oldest open episode is the one most likely to be stuck.
    page = paginate(request, rows, ordering=("opened_on", "pk"))
    audit.audit_list_view(request, Episode, page.rows, purpose="team episodes", stage=stage)
    return render(
        request,
        "worklists/team_episodes.html",
        {"page": page, "stage": stage, "stages": selectors.Stage.choices, "keyworker_id": keyworker_id},
    )


@login_required
def follow_ups(request):
    access.require(request.user, access.FOLLOW_UPS_ROLES)
    mine_only = request.GET.get("show") == "mine"
    page = paginate(request, selectors.team_follow_ups(request.user, mine_only=mine_only), ordering=("due_on", "pk"))
    audit.audit_list_view(request, FollowUp, page.rows, purpose="follow-ups")
    context = {"page": page, "mine_only": mine_only, "today": timezone.localdate()}
    return render(request, "worklists/follow_ups.html", context)


@login_required
def team(request):
    access.require(request.user, access.TEAM_ROLES)
    page = paginate(request, selectors.team_members(request.user), ordering=("last_name", "first_name", "pk"))
    # Staff records, not people in treatment; still audited, as every list of named records is.
    audit.audit_list_view(request, User, page.rows, purpose="team workload")
    return render(request, "worklists/team.html", {"page": page})
