import copy

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice

from config.celery import app as celery_app
from core.choices import Role, TeamKind
from core.factories import TeamFactory, make_staff


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Keeps the serialized reference data (sexes, interventions, groups...) where every test finds it.

    The transactional tests (the browser tests, backups) flush the database after each test and reload what the
    migrations wrote from a copy Django keeps on the connection object. Once Playwright's sync API has switched
    greenlets, or after other tests ran first, a test can be handed a connection object without that copy, and
    Django then silently skips the reload: every later test runs with no reference data. Kept on the connection
    class, taken when the database is made, the copy is found from any connection object."""
    wrapper = connections[DEFAULT_DB_ALIAS]
    contents = getattr(wrapper, "_test_serialized_contents", None)
    if contents is not None:
        type(wrapper)._test_serialized_contents = contents
    _copy_for_the_replica(django_db_blocker)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings):
    """A second database alias, `replica`, standing in for a read replica (tests/core/test_replica.py); routing
    reads to it is off unless a test sets READ_REPLICA. It is declared a mirror so Django makes no database for
    it (running the migrations again would send their data steps to the default database); `django_db_setup`
    then copies the test database for it."""
    databases = connections.settings
    if "replica" not in databases:
        replica = copy.deepcopy(databases["default"])
        replica["TEST"] = {**replica["TEST"], "MIRROR": "default"}
        databases["replica"] = replica


def _copy_for_the_replica(django_db_blocker):
    """The replica's own database: a copy of the freshly made test database (schema and reference data), as a
    streaming replica would hold. Made for every session, so it always has the current schema."""
    primary = connections["default"].settings_dict["NAME"]
    name = f"{primary}_replica"
    with django_db_blocker.unblock():
        connections["default"].close()
        with connections["default"]._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{primary}"')
    replica = connections["replica"].settings_dict
    replica["NAME"] = name
    replica["TEST"]["MIRROR"] = None


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


@pytest.fixture(autouse=True)
def _force_login_passes_two_factor(monkeypatch):
    """Staff signed in by `force_login` count as enrolled and verified (issue 15 allows it for tests): every
    page needs both factors, and the tests about the second step itself sign in through the form instead."""
    force_login = Client.force_login

    def force_login_with_second_factor(self, user, backend=None):
        force_login(self, user, backend)
        device, _ = StaticDevice.objects.get_or_create(user=user, name="Test enrolment", defaults={"confirmed": True})
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login_with_second_factor)


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
