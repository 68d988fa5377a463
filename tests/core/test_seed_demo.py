import re

import pytest
from django.core.management import call_command

from assessment import services as assessment_services
from assessment.models import Assessment
from core.choices import AuditAction, Role
from core.demo import DEMO_PASSWORD
from core.models import AuditEvent, DemoSeedRun, User
from referrals.models import Task

pytestmark = pytest.mark.django_db


def test_seed_demo_prints_a_working_login_for_every_role(client, capsys):
    call_command("seed_demo", people=20, seed=7)
    output = capsys.readouterr().out
    for role in Role:
        assert role.label in output
    response = client.post("/sign-in/", {"username": "keyworker", "password": DEMO_PASSWORD})
    assert (response.status_code, response["Location"]) == (302, "/")


def test_seed_demo_twice_adds_nothing(capsys):
    call_command("seed_demo", people=20, seed=7)
    counts = {model: model.objects.count() for model in (User, DemoSeedRun)}
    call_command("seed_demo", people=20, seed=7)
    assert {model: model.objects.count() for model in counts} == counts
    output = capsys.readouterr().out
    assert DemoSeedRun.objects.exists()
    for run in DemoSeedRun.objects.all():
        assert f"{run.app_label}: demo data already loaded" in output


def test_seed_demo_says_how_long_each_app_took(capsys):
    call_command("seed_demo", people=20, seed=7)
    output = capsys.readouterr().out
    assert re.search(r"^referrals: demo data loaded in \d+\.\d s$", output, re.MULTILINE)
    assert re.search(r"^assessment: demo data loaded in \d+\.\d s$", output, re.MULTILINE)


TASK_FIELDS = ("source_key", "person_id", "episode_id", "kind", "title", "assigned_to_id", "team_id", "due_on")


def test_demo_risk_tasks_are_the_ones_the_assessment_service_raises(capsys):
    """The demo inserts risk tasks in bulk for speed; running the real rule over the same assessments
    must give exactly the same tasks, so the demo cannot drift from the service."""
    call_command("seed_demo", people=150, seed=11)
    demo_tasks = Task.objects.filter(source_key__startswith="assessment:")
    from_demo = set(demo_tasks.values_list(*TASK_FIELDS))
    assert {row[3] for row in from_demo} >= {"marac_referral", "safeguarding", "childrens_centre_offer"}
    created = AuditEvent.objects.filter(action=AuditAction.CREATE, details__source="assessment risk action")
    assert created.count() == len(from_demo)

    demo_tasks.delete()
    assessor = User.objects.get(username="assessor.arm")
    for assessment in Assessment.objects.select_related("episode", "children_living_with"):
        assessment_services.apply_risk_actions(assessment=assessment, actor=assessor)

    assert set(Task.objects.filter(source_key__startswith="assessment:").values_list(*TASK_FIELDS)) == from_demo
