import pytest
from django.core.management import call_command

from core.choices import Role
from core.demo import DEMO_PASSWORD
from core.models import DemoSeedRun, User

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
