from django.db import migrations, models


def store_due_dates(apps, schema_editor):
    # The one rule, as the application runs it: one UPDATE over every pharmacological modality.
    from prescribing.waits import refresh_start_due
    from recovery_plans.models import Modality

    refresh_start_due(Modality.objects.all())


class Migration(migrations.Migration):
    """The prescribing clock's due date stored on the modality, and the waits board's index over the open ones
    that are waiting or started late (docs/benchmarks.md, "Lists and visibility")."""

    dependencies = [
        ("core", "0015_modality_start_due"),
        ("recovery_plans", "0008_list_order_indexes"),
        ("referrals", "0017_referral_closure"),
    ]

    operations = [
        migrations.AddField(
            model_name="modality",
            name="start_due_on",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(store_due_dates, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="modality",
            index=models.Index(
                condition=models.Q(("ended_on__isnull", True), ("start_due_on__isnull", False))
                & models.Q(("started_on__isnull", True), ("started_on__gt", models.F("start_due_on")), _connector="OR"),
                fields=["referred_on", "id"],
                name="modality_start_due_idx",
            ),
        ),
    ]
