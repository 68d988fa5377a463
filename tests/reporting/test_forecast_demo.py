import pytest
from django.core.management import call_command
from django.utils import timezone

from core.models import User
from reporting.forecast import at_risk, scope_for
from reporting.kpis.engine import population_rows
from reporting.periods import quarter_containing

pytestmark = pytest.mark.django_db


def test_demo_gives_the_keyworker_records_at_risk_and_the_manager_a_drill_down_with_failures():
    call_command("seed_demo", people=120, seed=5)
    keyworker = User.objects.get(username="keyworker")
    mine = at_risk(scope_for(user=keyworker, keyworker=keyworker))
    assert {"W21", "RAP3", "SIR0"} <= {item.code for item in mine}
    quarter = quarter_containing(timezone.localdate())
    manager = User.objects.get(username="manager")
    arm = manager.teams.get(kind="arm")
    assert population_rows("W21", quarter, team=arm).filter(fails=True).exists()
