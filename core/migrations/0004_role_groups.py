"""One group per role; their model permissions are synced after every migrate (core.signals)."""

from django.db import migrations

ROLE_GROUPS = [
    "Referrer",
    "Assessor",
    "Keyworker",
    "Prescriber",
    "Harm reduction worker",
    "Team manager",
    "Commissioner",
    "Data admin",
]


def create_groups(apps, schema_editor):
    group = apps.get_model("auth", "Group")
    for name in ROLE_GROUPS:
        group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_audit_append_only"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
