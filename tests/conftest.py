import pytest

from config.celery import app as celery_app
from core.choices import Role, TeamKind
from core.factories import TeamFactory, make_staff


@pytest.fixture(autouse=True)
def _inline_celery():
    """Tasks run inline in tests even when REDIS_URL points at a real broker (CI)."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create staff by the hundred; full-strength PBKDF2 for each would dominate the suite's time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def arm_team(db):
    return TeamFactory(name="ARM", kind=TeamKind.ARM)


@pytest.fixture
def esap_team(db):
    return TeamFactory(name="ESAP", kind=TeamKind.ESAP)


@pytest.fixture
def staff(db):
    """`staff(Role.KEYWORKER, team=...)` makes a member of staff with that role."""
    return make_staff


@pytest.fixture
def data_admin(db):
    return make_staff(Role.DATA_ADMIN, username="data.admin", is_staff=True)


@pytest.fixture
def commissioner(db):
    return make_staff(Role.COMMISSIONER, username="commissioner")
