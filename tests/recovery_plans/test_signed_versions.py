"""Sign-off signs what the assessor read, and a signed version never changes by any path: the service checks the
edit stamp the assessor viewed, the models refuse save() and delete(), and a database trigger refuses UPDATE and
DELETE, except the one change signing the next version makes (signed -> superseded)."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone

from core.errors import StaleEditError
from recovery_plans.models import Action, Goal, PlanVersion, VersionStatus
from recovery_plans.services import plans, reviews
from tests.recovery_plans.plan_fixtures import *  # noqa: F403
from tests.recovery_plans.plan_fixtures import GOALS

pytestmark = pytest.mark.django_db


def _sign(version, assessor, stamp=None):
    return plans.plan_sign_off(
        version=version,
        assessor=assessor,
        when=timezone.localdate(),
        expected_version=version.version if stamp is None else stamp,
    )


def _changed_after_viewing(submitted, keyworker, assessor):
    """The assessor opened the submitted version; it was then returned, edited and submitted again."""
    viewed = submitted.version
    returned = plans.return_plan(version=submitted, assessor=assessor, reason="Dates please")
    edited = plans.update_draft(
        version=returned, own_words="Changed", goals=GOALS[:1], by=keyworker, expected_version=returned.version
    )
    return viewed, plans.submit(version=edited, by=keyworker, expected_version=edited.version)


@pytest.fixture
def signed(submitted, assessor):
    return _sign(submitted, assessor)


def refused_by_database(call):
    with pytest.raises(DatabaseError, match="signed"), transaction.atomic():
        call()


class TestSignOffNamesTheVersionRead:
    def test_the_stamp_viewed_signs_it(self, submitted, assessor):
        assert _sign(submitted, assessor, stamp=submitted.version).status == VersionStatus.SIGNED

    def test_a_version_changed_after_it_was_opened_is_refused(self, submitted, keyworker, assessor):
        viewed, resubmitted = _changed_after_viewing(submitted, keyworker, assessor)
        with pytest.raises(StaleEditError) as error:
            _sign(resubmitted, assessor, stamp=viewed)
        assert error.value.field == "version"
        assert "changed after you opened it" in error.value.message
        assert PlanVersion.objects.get(pk=submitted.pk).status == VersionStatus.SUBMITTED
        # One edit behind is as stale as many; the current stamp signs.
        with pytest.raises(StaleEditError):
            _sign(resubmitted, assessor, stamp=resubmitted.version - 1)
        assert _sign(resubmitted, assessor, stamp=resubmitted.version).own_words == "Changed"

    def test_the_api_needs_the_version_and_refuses_a_stale_one_with_409(
        self, api_client_for, submitted, keyworker, assessor
    ):
        viewed, resubmitted = _changed_after_viewing(submitted, keyworker, assessor)
        client = api_client_for(assessor)
        path = f"/api/v1/plan-versions/{resubmitted.pk}/sign-off/"
        missing = client.post(path, {}, format="json")
        assert missing.status_code == 400
        assert "version" in missing.json()
        stale = client.post(path, {"version": viewed}, format="json")
        assert stale.status_code == 409
        assert "changed after you opened it" in stale.json()["version"][0]
        assert client.post(path, {"version": resubmitted.version}, format="json").status_code == 200

    def test_the_page_carries_the_stamp_and_shows_a_stale_refusal_in_the_summary(
        self, client, submitted, keyworker, assessor
    ):
        client.force_login(assessor)
        url = reverse("recovery_plans:plan-sign-off", args=[submitted.pk])
        page = client.get(url)
        assert page.context["sign_form"]["version"].value() == submitted.version
        assert f'name="version" value="{submitted.version}"' in page.content.decode()
        viewed, resubmitted = _changed_after_viewing(submitted, keyworker, assessor)
        today = timezone.localdate()
        body = {"version": viewed, "signed_on_day": today.day, "signed_on_month": today.month}
        body["signed_on_year"] = today.year
        response = client.post(url, body)
        html = response.content.decode()
        summary = html[html.index("nhsuk-error-summary") : html.index("</ul>", html.index("nhsuk-error-summary"))]
        assert "changed after you opened it" in summary
        assert response.context["sign_form"].errors["version"]
        assert PlanVersion.objects.get(pk=submitted.pk).status == VersionStatus.SUBMITTED
        # The page now shows the version as it is, and carries its stamp: signing from it signs what is shown.
        assert f'name="version" value="{resubmitted.version}"' in html
        assert client.post(url, {**body, "version": resubmitted.version}).status_code == 302


class TestTheModelRefuses:
    def test_save_and_delete_of_a_signed_version(self, signed):
        signed.own_words = "Edited"
        with pytest.raises(PermissionDenied):
            signed.save()
        with pytest.raises(PermissionDenied):
            signed.save(update_fields=["status"])
        with pytest.raises(PermissionDenied):
            signed.delete()

    def test_save_and_delete_of_its_goals_actions_and_planned_modalities(self, signed):
        goal = signed.goals.first()
        action = Action.objects.filter(goal__plan_version=signed).first()
        for row in (goal, action):
            with pytest.raises(PermissionDenied):
                row.save()
            with pytest.raises(PermissionDenied):
                row.delete()
        with pytest.raises(PermissionDenied):
            Goal(plan_version=signed, domain="housing", text="Sneaked in").save()

    def test_a_draft_still_saves(self, draft):
        goal = draft.goals.first()
        goal.text = "Changed"
        goal.save()
        assert Goal.objects.get(pk=goal.pk).text == "Changed"


class TestTheDatabaseRefuses:
    def test_update_and_delete_of_a_signed_version(self, signed):
        versions = PlanVersion.objects.filter(pk=signed.pk)
        refused_by_database(lambda: versions.update(own_words="Edited"))
        refused_by_database(lambda: versions.update(signed_on=date(2020, 1, 1)))
        refused_by_database(lambda: versions.update(status=VersionStatus.DRAFT))
        refused_by_database(lambda: versions.update(status=VersionStatus.SUPERSEDED, own_words="Edited"))
        refused_by_database(versions.delete)
        assert PlanVersion.objects.get(pk=signed.pk).own_words == "I want my kids back"

    def test_update_and_delete_of_its_goals_actions_and_planned_modalities(self, signed):
        goals = Goal.objects.filter(plan_version=signed)
        actions = Action.objects.filter(goal__plan_version=signed)
        refused_by_database(lambda: goals.update(text="Edited"))
        refused_by_database(lambda: actions.update(what="Edited"))
        refused_by_database(lambda: actions.update(status="done"))
        refused_by_database(actions.delete)
        refused_by_database(goals.delete)
        draft = PlanVersion.objects.create(plan=signed.plan, number=9, author=signed.author)
        draft_goal = Goal.objects.create(plan_version=draft, domain="housing", text="Draft")
        # Moving a draft's goal into the signed version is an edit of the signed version too.
        refused_by_database(lambda: Goal.objects.filter(pk=draft_goal.pk).update(plan_version=signed))

    def test_a_superseded_version_is_as_read_only(self, signed, keyworker, assessor):
        draft = plans.new_version(plan=signed.plan, by=keyworker)
        second = plans.submit(version=draft, by=keyworker, expected_version=draft.version)
        _sign(second, assessor)
        first = PlanVersion.objects.filter(pk=signed.pk)
        refused_by_database(lambda: first.update(status=VersionStatus.SIGNED))
        refused_by_database(lambda: first.update(own_words="Edited"))
        refused_by_database(lambda: Goal.objects.filter(plan_version=signed).update(text="Edited"))


class TestLegitimateFlowsStillWork:
    def test_signing_the_next_version_supersedes_the_first(self, signed, keyworker, assessor):
        draft = plans.new_version(plan=signed.plan, by=keyworker)
        assert draft.goals.count() == signed.goals.count()
        edited = plans.update_draft(
            version=draft, own_words="Next", goals=GOALS[:1], by=keyworker, expected_version=draft.version
        )
        second = _sign(plans.submit(version=edited, by=keyworker, expected_version=edited.version), assessor)
        assert PlanVersion.objects.get(pk=signed.pk).status == VersionStatus.SUPERSEDED
        assert second.status == VersionStatus.SIGNED
        assert [g.text for g in Goal.objects.filter(plan_version=signed)] == [g["text"] for g in GOALS]

    def test_the_trigger_allows_exactly_signed_to_superseded(self, signed):
        assert PlanVersion.objects.filter(pk=signed.pk).update(status=VersionStatus.SUPERSEDED) == 1

    def test_a_returned_draft_is_edited_and_its_rows_replaced(self, submitted, keyworker, assessor):
        returned = plans.return_plan(version=submitted, assessor=assessor, reason="More")
        plans.update_draft(
            version=returned, own_words="", goals=GOALS[1:], by=keyworker, expected_version=returned.version
        )
        assert list(Goal.objects.filter(plan_version=submitted).values_list("text", flat=True)) == [GOALS[1]["text"]]

    def test_a_plan_review_of_the_signed_version_is_recorded(self, signed, keyworker):
        review = reviews.record_review(
            plan=signed.plan,
            reviewed_on=timezone.localdate(),
            summary="On track",
            progress={goal.pk: "Going well" for goal in signed.goals.all()},
            by=keyworker,
        )
        assert review.reviewed_version == signed
        assert review.progress.count() == len(GOALS)
