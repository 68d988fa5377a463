"""Every change to a clinical table, captured by database triggers (django-pghistory), so a bulk `update()`,
a COPY or raw SQL is recorded as surely as a form's save (docs/architecture.md, "The audit log").

The triggers are statement-level with transition tables (`REFERENCING NEW TABLE`): one trigger call per
statement writes one event row per changed row with a single `INSERT ... SELECT`, so every row is still recorded,
but a COPY of a whole caseload costs one trigger call rather than one per row (a row-level trigger made the
transfer import's 100,000 rows take over 12 minutes; docs/returns.md).

The event tables live in core (one app for them all, so the clinical apps need no migration for them); a
change to a tracked model's fields therefore needs `makemigrations core` as well. The triggers are installed
by `migrate` (PGTRIGGER_INSTALL_ON_MIGRATE), not written into the clinical apps' migrations.
"""

import pghistory
from django.db import models

# Filled by the clinical apps, each naming its own models at the end of its models.py (the event models
# must exist whenever the models do, for migrations as for requests): core imports no clinical app.
CLINICAL_MODELS: list[type[models.Model]] = []


def track(*tracked: type[models.Model]) -> None:
    for model in tracked:
        pghistory.track(
            pghistory.InsertEvent(),
            pghistory.UpdateEvent(),
            pghistory.DeleteEvent(),
            level=pghistory.Statement,
            app_label="core",
            model_name=f"{model.__name__}Change",
            # A deleted record keeps its history: the event points at it by id only. It is the one column history is
            # looked up by (subject access), so the one indexed (settings.PGHISTORY_FOREIGN_KEY_FIELD).
            obj_field=pghistory.ObjForeignKey(
                db_constraint=False, db_index=True, on_delete=models.DO_NOTHING, related_name="changes"
            ),
        )(model)
        CLINICAL_MODELS.append(model)
