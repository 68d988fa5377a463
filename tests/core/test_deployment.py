"""The container stack (Dockerfile, docker-compose.yml, .env.example) and production settings.

There is no Docker engine in CI, so the compose file is checked as data; the production settings are
checked for real, in a subprocess, since they are fixed when settings are first imported.
"""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_SOURCE = (ROOT / "config" / "settings.py").read_text()
COMPOSE_SOURCE = (ROOT / "docker-compose.yml").read_text()
COMPOSE = yaml.safe_load(COMPOSE_SOURCE)
SERVICES = COMPOSE["services"]

SETTINGS_ENV_NAMES = set(
    re.findall(r"\benv(?:_bool|_list)?\(\s*\"([A-Z][A-Z0-9_]*)\"", SETTINGS_SOURCE)
    + re.findall(r"os\.(?:environ\.get\(|environ\[|getenv\()\s*\"([A-Z][A-Z0-9_]*)\"", SETTINGS_SOURCE)
)
ENV_EXAMPLE_NAMES = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.MULTILINE))


def command_line(service):
    command = SERVICES[service]["command"]
    return command if isinstance(command, str) else " ".join(command)


def database_url():
    """The database this test run uses, as a URL for a subprocess's settings."""
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    db = settings.DATABASES["default"]
    credentials = quote(db["USER"], safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    # A socket directory as host is percent-encoded, which dj-database-url decodes back to a path.
    host = quote(db["HOST"] or "", safe="")
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{quote(db['NAME'], safe='')}"


def production_env(**overrides):
    """This process's environment without any setting, so only what a test gives reaches settings."""
    environ = {name: value for name, value in os.environ.items() if name not in SETTINGS_ENV_NAMES}
    environ.update(APP_ENV="production", DATABASE_URL=database_url(), **overrides)
    return environ


def test_the_stack_has_its_five_services():
    assert {"db", "redis", "web", "worker", "beat"} <= set(SERVICES)


def test_db_is_postgres_16_and_redis_is_redis_7():
    assert SERVICES["db"]["image"].startswith("postgres:16")
    assert SERVICES["redis"]["image"].startswith("redis:7")


@pytest.mark.parametrize("service", ["db", "redis", "web", "worker"])
def test_service_has_a_healthcheck(service):
    test = SERVICES[service]["healthcheck"]["test"]
    if isinstance(test, list):
        assert test[0] in {"CMD", "CMD-SHELL"}
        assert len(test) > 1
    else:
        assert test.strip()


def test_web_waits_for_healthy_db_and_redis():
    depends_on = SERVICES["web"]["depends_on"]
    assert depends_on["db"]["condition"] == "service_healthy"
    assert depends_on["redis"]["condition"] == "service_healthy"


def test_web_migrates_then_serves_with_gunicorn():
    command = command_line("web")
    assert "migrate" in command
    assert "gunicorn" in command
    assert "config.wsgi" in command
    assert command.index("migrate") < command.index("gunicorn")


def test_web_grants_the_app_role_after_migrating_and_before_serving():
    command = command_line("web")
    assert command.index("migrate") < command.index("grant_app_role") < command.index("gunicorn")


def test_the_app_connects_as_its_own_role_and_only_web_knows_the_owner():
    owner = "${POSTGRES_USER:"
    for service in ["web", "worker", "beat"]:
        environment = SERVICES[service]["environment"]
        assert environment["DATABASE_URL"].startswith("postgres://${APP_DB_USER:")
        assert owner not in environment["DATABASE_URL"]
    assert SERVICES["web"]["environment"]["DATABASE_MIGRATE_URL"].startswith("postgres://" + owner)
    assert "DATABASE_MIGRATE_URL" not in SERVICES["worker"]["environment"]
    assert "DATABASE_MIGRATE_URL" not in SERVICES["beat"]["environment"]


def test_worker_and_beat_run_celery_for_the_config_app():
    assert "celery -A config worker" in command_line("worker")
    assert "celery -A config beat" in command_line("beat")


def test_app_services_run_production_settings_against_the_stack():
    for service in ["web", "worker", "beat"]:
        environment = SERVICES[service]["environment"]
        assert environment["APP_ENV"] == "production"
        assert "@db:5432/" in environment["DATABASE_URL"]
        assert environment["REDIS_URL"].startswith("redis://redis:")
        assert SERVICES[service]["env_file"]


def test_postgres_data_is_on_a_named_volume():
    data_mounts = [volume for volume in SERVICES["db"]["volumes"] if volume.endswith(":/var/lib/postgresql/data")]
    assert len(data_mounts) == 1
    volume_name = data_mounts[0].split(":")[0]
    # A name, not a host path: a path would be a bind mount that compose does not manage.
    assert "/" not in volume_name
    assert not volume_name.startswith(".")
    assert volume_name in COMPOSE["volumes"]


def test_env_example_documents_every_setting():
    assert "DJANGO_SECRET_KEY" in SETTINGS_ENV_NAMES, "the settings parser found nothing; has settings.py changed?"
    assert SETTINGS_ENV_NAMES <= ENV_EXAMPLE_NAMES


def test_env_example_has_every_value_compose_interpolates():
    interpolated = set(re.findall(r"(?<!\$)\$\{([A-Z][A-Z0-9_]*)", COMPOSE_SOURCE))
    assert {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB", "APP_DB_USER", "APP_DB_PASSWORD"} <= interpolated
    assert interpolated <= ENV_EXAMPLE_NAMES


def test_image_runs_as_a_non_root_user_and_never_starts_the_embedded_database():
    dockerfile = (ROOT / "Dockerfile").read_text()
    users = re.findall(r"^USER\s+(\S+)", dockerfile, re.MULTILINE)
    assert users
    assert users[-1] not in {"root", "0"}
    collectstatic = re.search(r"^RUN (?:[^\n]*\\\n)*[^\n]*collectstatic", dockerfile, re.MULTILINE).group(0)
    assert "APP_ENV=production" in collectstatic
    assert "DATABASE_URL=" in collectstatic


def test_production_settings_pass_the_deployment_checks():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(DJANGO_SECRET_KEY=secrets.token_urlsafe(64), DJANGO_ALLOWED_HOSTS="example.org"),
        capture_output=True,
        text=True,
        timeout=180,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=ROOT,
        env=production_env(DJANGO_ALLOWED_HOSTS="example.org"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_transaction_pooling_turns_server_side_cursors_off_on_every_database():
    show = (
        "import django; django.setup(); from django.conf import settings; "
        "print(sorted((a, d.get('DISABLE_SERVER_SIDE_CURSORS')) for a, d in settings.DATABASES.items()))"
    )
    environment = production_env(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="example.org",
        DJANGO_SETTINGS_MODULE="config.settings",
    )

    def databases(**overrides):
        result = subprocess.run(
            [sys.executable, "-c", show],
            cwd=ROOT,
            env={**environment, **overrides},
            capture_output=True,
            text=True,
            timeout=60,
        )
        return result.stdout.strip() or result.stderr

    assert databases(DATABASE_TRANSACTION_POOLING="true", DATABASE_REPLICA_URL=database_url()) == (
        "[('default', True), ('replica', True)]"
    )
    assert databases() == "[('default', False)]"
