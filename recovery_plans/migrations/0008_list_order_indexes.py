from django.db import migrations, models


class Migration(migrations.Migration):
    """Newest-first API lists of modalities and their reviews stop at a page instead of sorting every row."""

    dependencies = [("recovery_plans", "0007_modality_waiting_idx")]

    operations = [
        migrations.AddIndex(
            model_name="modality",
            index=models.Index(fields=["referred_on", "id"], name="modality_referred_idx"),
        ),
        migrations.AddIndex(
            model_name="modalityreview",
            index=models.Index(fields=["reviewed_on", "id"], name="modality_review_date_idx"),
        ),
    ]
