"""Plan pages: the plan of an episode, drafting, stale edits, submission, sign-off for every role, history,
reviews, the PDF, the sign-off queue and the episode page link."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from core.choices import AuditAction, Role
from core.models import AuditEvent
from recovery_plans.factories import ActionFactory, GoalFactory
from recovery_plans.models import Intervention, PlanReview, PlanVersion, VersionStatus
from recovery_plans.services import plans, reviews
from referrals.factories import AllocationFactory, EpisodeFactory
from referrals.models import PersonUserObjectPermission
from tests.recovery_plans.plan_fixtures import *  # noqa: F403
from tests.recovery_plans.plan_fixtures import GOALS

pytestmark = pytest.mark.django_db


def url(name, **kwargs):
    return reverse(f"recovery_plans:{name}", kwargs=kwargs)


def _sign(version, assessor):
    return plans.plan_sign_off(
        version=version, expected_version=version.version, assessor=assessor, when=timezone.localdate()
    )


# --- Reading ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("keyworker", 200), ("assessor_of_the_team", 200), ("unrelated", 404), ("referrer", 403)],
)
def test_plan_page_by_persona(client, episode, draft, staff, persona, expected, request):
    if persona == "unrelated":
        user = staff(Role.KEYWORKER)
    elif persona == "referrer":
        user = staff(Role.REFERRER)
        episode.referral.created_by = user
        episode.referral.save(update_fields=["created_by"])
    else:
        user = request.getfixturevalue({"keyworker": "keyworker", "assessor_of_the_team": "assessor"}[persona])
    client.force_login(user)
    assert client.get(url("plan-detail", episode_pk=episode.pk)).status_code == expected


def test_plan_page_shows_goals_by_domain_actions_own_words_and_sign_off(client, episode, submitted, assessor):
    signed = _sign(submitted, assessor)
    client.force_login(assessor)
    page = client.get(url("plan-detail", episode_pk=episode.pk)).content.decode()
    assert "I want my kids back" in page
    assert page.index("Substance use") < page.index("Housing")  # domains in the order of the list
    assert "Call the council housing team" in page
    assert f'Signed off by</dt><dd class="nhsuk-summary-list__value">{assessor.get_full_name()}' in page
    assert timezone.localdate().strftime("%-d %B %Y") in page
    assert url("plan-pdf", pk=signed.pk) in page
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="recovery_plans.RecoveryPlan").exists()


def test_a_returned_draft_shows_the_reason(client, episode, submitted, assessor, keyworker):
    plans.return_plan(version=submitted, assessor=assessor, reason="Add dates to the actions")
    client.force_login(keyworker)
    page = client.get(url("plan-detail", episode_pk=episode.pk)).content.decode()
    assert "Returned by the assessor" in page
    assert "Add dates to the actions" in page


def _plan_with(episode, keyworker, actions_per_goal: list[int]):
    version = plans.start_plan(episode=episode, by=keyworker)
    for position, actions in enumerate(actions_per_goal):
        goal = GoalFactory(plan_version=version, domain=["housing", "ete", "finances"][position % 3], position=position)
        ActionFactory.create_batch(actions, goal=goal)
    return version


def _count(client, path):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_the_plan_page_runs_the_same_queries_for_12_goals_and_40_actions_as_for_1_goal(
    client, episode, keyworker, arm_team, delivery_team, django_assert_max_num_queries
):
    small_episode = EpisodeFactory(referral__team=arm_team)
    AllocationFactory(episode=small_episode, keyworker=keyworker, team=delivery_team)
    big = _plan_with(episode, keyworker, [4] * 4 + [3] * 8)
    _plan_with(small_episode, keyworker, [1])
    assert big.goals.count() == 12
    assert sum(g.actions.count() for g in big.goals.all()) == 40
    client.force_login(keyworker)
    _count(client, url("plan-detail", episode_pk=small_episode.pk))  # warm the session and content types
    with django_assert_max_num_queries(12):
        big_count = _count(client, url("plan-detail", episode_pk=episode.pk))
    assert big_count == _count(client, url("plan-detail", episode_pk=small_episode.pk))


# --- Drafting ---------------------------------------------------------------------------------------------


def test_a_keyworker_starts_a_plan_and_adds_a_goal_with_actions(client, episode, keyworker):
    client.force_login(keyworker)
    assert client.post(url("plan-start", episode_pk=episode.pk)).status_code == 302
    version = PlanVersion.objects.get(plan__episode=episode)
    response = client.post(
        url("plan-goal-add", pk=version.pk),
        {
            "version": version.version,
            "domain": "ete",
            "text": "Start a college course",
            "actions-TOTAL_FORMS": "2",
            "actions-INITIAL_FORMS": "0",
            "actions-0-what": "Visit the college open day",
            "actions-0-who": "Me",
            "actions-0-by_when_day": "1",
            "actions-0-by_when_month": "3",
            "actions-0-by_when_year": "2027",
            "actions-0-status": "not_started",
            "actions-1-status": "not_started",
        },
    )
    assert response.status_code == 302
    goal = version.goals.get()
    assert (goal.domain, goal.text) == ("ete", "Start a college course")
    assert [(a.what, a.by_when.isoformat()) for a in goal.actions.all()] == [
        ("Visit the college open day", "2027-03-01")
    ]


def test_an_action_without_who_is_refused_on_the_page(client, draft, keyworker):
    client.force_login(keyworker)
    response = client.post(
        url("plan-goal-edit", pk=draft.pk, index=1),
        {
            "version": draft.version,
            "domain": "housing",
            "text": "Find my own flat",
            "actions-TOTAL_FORMS": "1",
            "actions-INITIAL_FORMS": "0",
            "actions-0-what": "Ring the landlord",
            "actions-0-status": "not_started",
        },
    )
    assert response.status_code == 200
    assert "Action 1: Enter who will do it" in response.content.decode()
    assert draft.goals.get(position=0).actions.count() == 1


def test_a_stale_edit_by_a_second_keyworker_is_refused_with_a_message_and_nothing_is_lost(
    client, draft, keyworker, staff, delivery_team, episode
):
    second = staff(Role.KEYWORKER, team=delivery_team)
    # The person is shared with the second keyworker, who covers while the first is away.
    PersonUserObjectPermission.objects.create(
        content_object=episode.person, user=second, permission=Permission.objects.get(codename="view_person")
    )
    opened_at = draft.version
    client.force_login(keyworker)
    first = client.post(url("plan-own-words", pk=draft.pk), {"version": opened_at, "own_words": "First keyworker"})
    assert first.status_code == 302
    client.force_login(second)
    response = client.post(url("plan-own-words", pk=draft.pk), {"version": opened_at, "own_words": "Second keyworker"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Your change was not saved" in page
    assert "Second keyworker" in page  # what they typed is still in the form
    draft.refresh_from_db()
    assert draft.own_words == "First keyworker"
    assert draft.goals.count() == 2


def test_editing_a_signed_version_is_refused(client, submitted, assessor, keyworker):
    signed = _sign(submitted, assessor)
    client.force_login(keyworker)
    response = client.get(url("plan-own-words", pk=signed.pk), follow=True)
    assert "cannot be changed" in response.content.decode()
    response = client.post(url("plan-own-words", pk=signed.pk), {"version": signed.version, "own_words": "Changed"})
    assert "not a draft and cannot be edited" in response.content.decode()
    signed.refresh_from_db()
    assert signed.own_words == "I want my kids back"


def test_removing_a_goal_and_planning_modalities(client, draft, keyworker):
    client.force_login(keyworker)
    response = client.post(url("plan-goal-remove", pk=draft.pk, index=2), {"version": draft.version})
    assert response.status_code == 302
    draft.refresh_from_db()
    cbt = Intervention.objects.get(code="CBT")
    response = client.post(
        url("plan-modalities", pk=draft.pk),
        {
            "version": draft.version,
            "planned-TOTAL_FORMS": "2",
            "planned-INITIAL_FORMS": "0",
            "planned-0-intervention": cbt.pk,
            "planned-0-notes": "Tuesdays",
        },
    )
    assert response.status_code == 302
    assert [g.text for g in draft.goals.all()] == ["Find my own flat"]
    assert [(p.intervention.code, p.notes) for p in draft.planned_modalities.all()] == [("CBT", "Tuesdays")]


def test_submitting_a_draft_for_sign_off(client, draft, keyworker):
    client.force_login(keyworker)
    client.post(url("plan-submit", pk=draft.pk), {"version": draft.version})
    draft.refresh_from_db()
    assert draft.status == VersionStatus.SUBMITTED


# --- Sign-off, every role ------------------------------------------------------------------------------------

SIGN_OFF_PAGE = [
    ("referrer", 403, None),
    ("assessor_of_the_team", 302, None),
    ("assessor_of_another_team", 200, "Only an assessor of this person&#x27;s team"),
    ("keyworker", 200, "Only an assessor can sign off"),
    ("prescriber", 200, "Only an assessor can sign off"),
    ("harm_reduction_worker", 403, None),
    ("team_manager", 200, "Only an assessor can sign off"),
    ("commissioner", 403, None),
    ("data_admin", 200, "Only an assessor can sign off"),
]


@pytest.mark.parametrize(("role_user", "status", "message"), SIGN_OFF_PAGE, indirect=["role_user"])
def test_sign_off_on_the_page_for_every_role(client, submitted, role_user, status, message):
    client.force_login(role_user)
    get = client.get(url("plan-sign-off", pk=submitted.pk))
    assert get.status_code == (200 if status == 302 else status)
    if message:
        assert message in get.content.decode()
        assert "Sign off version 1</button>" not in get.content.decode()
    today = timezone.localdate()
    date_fields = {"signed_on_day": today.day, "signed_on_month": today.month, "signed_on_year": today.year}
    response = client.post(url("plan-sign-off", pk=submitted.pk), {**date_fields, "version": submitted.version})
    assert response.status_code == status
    if message:
        assert message in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == (VersionStatus.SIGNED if status == 302 else VersionStatus.SUBMITTED)


def test_the_assessor_who_wrote_the_version_cannot_sign_it_off_on_the_page(client, episode, assessor):
    version = plans.start_plan(episode=episode, by=assessor)
    version = plans.update_draft(version=version, own_words="", goals=GOALS, by=assessor, expected_version=1)
    version = plans.submit(version=version, by=assessor, expected_version=version.version)
    client.force_login(assessor)
    assert "You wrote this version" in client.get(url("plan-sign-off", pk=version.pk)).content.decode()
    response = client.post(url("plan-return", pk=version.pk), {"reason": "Mine"})
    assert "You wrote this version" in response.content.decode()
    version.refresh_from_db()
    assert version.status == VersionStatus.SUBMITTED


def test_returning_needs_a_reason_and_then_goes_back_to_draft(client, submitted, assessor):
    client.force_login(assessor)
    response = client.post(url("plan-return", pk=submitted.pk), {"reason": ""})
    assert "Enter why you are returning the plan" in response.content.decode()
    client.post(url("plan-return", pk=submitted.pk), {"reason": "Add dates"})
    submitted.refresh_from_db()
    assert (submitted.status, submitted.returned_reason) == (VersionStatus.DRAFT, "Add dates")


def test_a_sign_off_date_in_the_future_is_refused(client, submitted, assessor):
    client.force_login(assessor)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(
        url("plan-sign-off", pk=submitted.pk),
        {
            "version": submitted.version,
            "signed_on_day": tomorrow.day,
            "signed_on_month": tomorrow.month,
            "signed_on_year": tomorrow.year,
        },
    )
    assert "cannot be in the future" in response.content.decode()


# --- Versions, history, PDF -----------------------------------------------------------------------------------


def test_history_shows_the_differences_between_versions(client, episode, submitted, assessor, keyworker):
    _sign(submitted, assessor)
    draft = plans.new_version(plan=submitted.plan, by=keyworker)
    goals = [GOALS[0], {"domain": "finances", "text": "Open a bank account", "actions": []}]
    plans.update_draft(
        version=draft, own_words="I want my kids back", goals=goals, by=keyworker, expected_version=draft.version
    )
    client.force_login(assessor)
    page = client.get(url("plan-history", episode_pk=episode.pk)).content.decode()
    assert "Version 2" in page
    assert "Goal added</strong>\n    Finances: Open a bank account" in page
    assert "Goal removed</strong>\n    Substance use: Stop using on weekdays" in page


def test_the_pdf_of_a_signed_version_renders_and_is_an_audited_export(client, submitted, assessor, keyworker):
    signed = _sign(submitted, assessor)
    client.force_login(keyworker)
    response = client.get(url("plan-pdf", pk=signed.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "My recovery plan" in text
    assert "Find my own flat" in text
    assert "Stop using on weekdays" in text
    assert "Call the council housing team" in text
    assert assessor.get_full_name() in text
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_id=str(signed.pk)).count() == 1


def test_a_draft_has_no_pdf(client, draft, keyworker):
    client.force_login(keyworker)
    assert client.get(url("plan-pdf", pk=draft.pk)).status_code == 404


# --- Reviews ------------------------------------------------------------------------------------------------------


def test_a_review_records_progress_per_goal_and_can_start_a_new_version(
    client, episode, submitted, assessor, keyworker
):
    signed = _sign(submitted, assessor)
    goal = signed.goals.get(position=0)
    client.force_login(keyworker)
    today = timezone.localdate()
    response = client.post(
        url("plan-review-new", episode_pk=episode.pk),
        {
            "reviewed_on_day": today.day,
            "reviewed_on_month": today.month,
            "reviewed_on_year": today.year,
            f"goal_{goal.pk}": "Viewed two flats",
            "summary": "Good progress",
            "change_plan": "on",
        },
    )
    assert response.status_code == 302
    review = PlanReview.objects.get()
    assert [p.progress for p in review.progress.all()] == ["Viewed two flats"]
    assert review.new_version.status == VersionStatus.DRAFT
    listing = client.get(url("plan-reviews", episode_pk=episode.pk)).content.decode()
    assert "Viewed two flats" in listing


# --- Queue and the episode link ---------------------------------------------------------------------------------


def test_the_sign_off_queue_lists_submitted_plans_of_my_teams_in_fixed_queries(
    client, assessor, keyworker, arm_team, delivery_team, django_assert_max_num_queries
):
    def add(n):
        for _ in range(n):
            episode = EpisodeFactory(referral__team=arm_team)
            AllocationFactory(episode=episode, keyworker=keyworker, team=delivery_team)
            version = plans.start_plan(episode=episode, by=keyworker)
            version = plans.update_draft(version=version, own_words="", goals=GOALS, by=keyworker, expected_version=1)
            plans.submit(version=version, by=keyworker, expected_version=version.version)

    add(2)
    client.force_login(assessor)
    few = _count(client, url("plan-queue"))
    add(18)
    with django_assert_max_num_queries(few):
        response = client.get(url("plan-queue"))
    assert response.content.decode().count("Sign off or return<span") == 20


def test_the_queue_is_for_assessors(client, keyworker):
    client.force_login(keyworker)
    assert client.get(url("plan-queue")).status_code == 403


def test_the_episode_page_links_to_the_plan_with_its_state(client, episode, submitted, assessor, keyworker):
    client.force_login(keyworker)
    page = client.get(reverse("referrals:episode-detail", kwargs={"pk": episode.pk})).content.decode()
    assert url("plan-detail", episode_pk=episode.pk) in page
    assert "Awaiting sign-off" in page
    _sign(submitted, assessor)
    page = client.get(reverse("referrals:episode-detail", kwargs={"pk": episode.pk})).content.decode()
    assert f"Signed {timezone.localdate().strftime('%-d %B %Y')}" in page


def test_no_plan_link_for_a_role_that_does_not_read_plans(episode, commissioner, staff):
    from recovery_plans.links_plans import episode_links

    assert episode_links(episode, commissioner) == []
    assert episode_links(episode, staff(Role.HARM_REDUCTION_WORKER)) == []


def _versions(plan, keyworker, assessor, count):
    """Sign `count` more versions of the plan, each changing a goal, and review each one."""
    for n in range(count):
        draft = plans.new_version(plan=plan, by=keyworker)
        goals = [*GOALS, {"domain": "ete", "text": f"Course number {n}", "actions": [{"what": "Apply", "who": "Me"}]}]
        draft = plans.update_draft(
            version=draft, own_words="", goals=goals, by=keyworker, expected_version=draft.version
        )
        draft = plans.submit(version=draft, by=keyworker, expected_version=draft.version)
        signed = _sign(draft, assessor)
        progress = {goal.pk: "Going well" for goal in signed.goals.all()}
        reviews.record_review(plan=plan, reviewed_on=timezone.localdate(), progress=progress, summary="", by=keyworker)


def test_history_and_reviews_pages_run_a_fixed_number_of_queries(
    client, episode, submitted, assessor, keyworker, django_assert_max_num_queries
):
    _sign(submitted, assessor)
    _versions(submitted.plan, keyworker, assessor, 1)
    client.force_login(keyworker)
    history, review_list = url("plan-history", episode_pk=episode.pk), url("plan-reviews", episode_pk=episode.pk)
    few = (_count(client, history), _count(client, review_list))
    _versions(submitted.plan, keyworker, assessor, 6)
    with django_assert_max_num_queries(few[0]):
        page = client.get(history).content.decode()
    assert page.count("Changes from version") == 7
    with django_assert_max_num_queries(few[1]):
        page = client.get(review_list).content.decode()
    assert page.count("Review on ") == 7
