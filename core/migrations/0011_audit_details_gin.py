import django.contrib.postgres.indexes
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations


class Migration(migrations.Migration):
    # Built concurrently: the audit table is the largest, and every request writes to it.
    atomic = False

    dependencies = [
        ("core", "0010_audit_seal_in_batches"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="auditevent",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["details"], name="audit_details_gin", opclasses=["jsonb_path_ops"]
            ),
        ),
    ]
