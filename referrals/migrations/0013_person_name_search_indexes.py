import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.db import migrations

from referrals.trigram import AddTrigramIndex


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0012_record_share"),
    ]

    operations = [
        AddTrigramIndex(
            model_name="person",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Lower("family_name"), name="gin_trgm_ops"
                ),
                name="person_family_trgm_idx",
            ),
            column="family_name",
        ),
        AddTrigramIndex(
            model_name="person",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Lower("given_name"), name="gin_trgm_ops"
                ),
                name="person_given_trgm_idx",
            ),
            column="given_name",
        ),
    ]
