"""Blood-borne virus tests keep the date of the answer to the offer, so HEPCSTAT for a past period depends only on
recorded dates (domain.md 6 and 6a): an answer given after the period end no longer changes that period's return.
"""

from django.db import migrations, models


def backfill(apps, schema_editor):
    """Tests answered before the date existed: the answer is dated the day of the offer, the only date recorded
    and the one the return has counted it from so far (a test offered by the period end was sent with its
    answer), so a return already made stays the same when re-run."""
    BbvTest = apps.get_model("harm_reduction", "BbvTest")
    BbvTest.objects.filter(accepted__isnull=False).update(answered_on=models.F("offered_on"))


class Migration(migrations.Migration):
    dependencies = [
        ("harm_reduction", "0004_hep_b_immunity_told_apart"),
    ]

    operations = [
        migrations.AddField(
            model_name="bbvtest",
            name="answered_on",
            field=models.DateField(blank=True, help_text="When the person accepted or refused the test.", null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="bbvtest",
            constraint=models.CheckConstraint(
                condition=models.Q(accepted__isnull=True, answered_on__isnull=True)
                | models.Q(accepted__isnull=False, answered_on__isnull=False, answered_on__gte=models.F("offered_on")),
                name="bbv_test_answer_dated_on_or_after_offer",
            ),
        ),
    ]
