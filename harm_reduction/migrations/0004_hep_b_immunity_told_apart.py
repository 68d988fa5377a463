"""The answer "not appropriate (already immune)" becomes two, so the return can send HEPBSTAT C (already immunised)
and E (acquired immunity, after infection) apart (domain.md 4a).

Existing "not appropriate" answers become "already immunised": that is right for most of them (more people in
treatment are immune because they were vaccinated, in an earlier episode, in prison or by their GP, than because
they cleared an infection), and it is the code those rows were already sent as (C), so returns already made stay
the same when re-run (domain.md 6a). A worker who knows a person's immunity came from infection records a new
offer answered "immune after infection". Going back, both answers become "not appropriate" again.
"""

from django.db import migrations, models

OLD = "not_appropriate"
IMMUNISED = "already_immunised"
AFTER_INFECTION = "acquired_immunity"


def split(apps, schema_editor):
    HepBCourse = apps.get_model("harm_reduction", "HepBCourse")
    HepBCourse.objects.filter(offer=OLD).update(offer=IMMUNISED)


def merge(apps, schema_editor):
    HepBCourse = apps.get_model("harm_reduction", "HepBCourse")
    HepBCourse.objects.filter(offer__in=(IMMUNISED, AFTER_INFECTION)).update(offer=OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("harm_reduction", "0003_hep_b_outcome_and_completion_dates"),
    ]

    operations = [
        migrations.AlterField(
            model_name="hepbcourse",
            name="offer",
            field=models.CharField(
                choices=[
                    ("offered", "Offered"),
                    ("accepted", "Accepted"),
                    ("refused", "Refused"),
                    ("already_immunised", "Not appropriate: already immunised (vaccinated before)"),
                    ("acquired_immunity", "Not appropriate: immune after infection"),
                ],
                max_length=20,
            ),
        ),
        migrations.RunPython(split, merge),
    ]
