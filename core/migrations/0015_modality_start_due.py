from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0014_history_index_by_record_only")]

    operations = [
        migrations.AddField(
            model_name="modalitychange",
            name="start_due_on",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
    ]
