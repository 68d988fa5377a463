"""Hepatitis B courses keep the date of the answer to the offer and the date the course completed, so the
HBR, HBC and HB1 figures for a past period depend only on recorded dates (domain.md 5 and 6a)."""

from django.db import migrations, models
from django.db.models import Max, OuterRef, Subquery


def backfill(apps, schema_editor):
    """Courses recorded before these dates existed: the offer was answered the day it was made (the only way the
    services recorded it then), and a complete course completed with its last dose."""
    HepBCourse = apps.get_model("harm_reduction", "HepBCourse")
    HepBDose = apps.get_model("harm_reduction", "HepBDose")
    HepBCourse.objects.exclude(offer="offered").update(outcome_on=models.F("offered_on"))
    last_dose = HepBDose.objects.filter(course=OuterRef("pk")).values("course").annotate(last=Max("given_on"))
    HepBCourse.objects.filter(course_complete=True).update(completed_on=Subquery(last_dose.values("last")[:1]))


class Migration(migrations.Migration):
    dependencies = [
        ("harm_reduction", "0002_reference_codes"),
    ]

    operations = [
        migrations.AddField(
            model_name="hepbcourse",
            name="completed_on",
            field=models.DateField(blank=True, help_text="The date of the last dose of the course.", null=True),
        ),
        migrations.AddField(
            model_name="hepbcourse",
            name="outcome_on",
            field=models.DateField(
                blank=True, help_text="When the person accepted or refused, or was found already immune.", null=True
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
