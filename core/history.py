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

from assessment.models import Assessment, Top
from harm_reduction.models import BbvTest, HepBCourse
from prescribing.models import DrugTest, Prescription
from recovery_plans.models import Action, Goal, Modality, PlanVersion
from referrals.models import Allocation, Episode, Person, Referral

CLINICAL_MODELS = [
    Person,
    Referral,
    Episode,
    Allocation,
    Assessment,
    Top,
    PlanVersion,
    Goal,
    Action,
    Modality,
    Prescription,
    DrugTest,
    BbvTest,
    HepBCourse,
]

for _model in CLINICAL_MODELS:
    pghistory.track(
        pghistory.InsertEvent(),
        pghistory.UpdateEvent(),
        pghistory.DeleteEvent(),
        level=pghistory.Statement,
        app_label="core",
        model_name=f"{_model.__name__}Change",
        # A deleted record keeps its history: the event points at it by id only.
        obj_field=pghistory.ObjForeignKey(db_constraint=False, on_delete=models.DO_NOTHING, related_name="changes"),
    )(_model)
