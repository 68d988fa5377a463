import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("recovery_record")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def add_app_schedules(sender, **kwargs):
    """Each app lists its periodic jobs in `<app>/schedule.py` as BEAT_SCHEDULE."""
    from core.registry import app_modules

    for module in app_modules("schedule"):
        sender.conf.beat_schedule.update(module.BEAT_SCHEDULE)
