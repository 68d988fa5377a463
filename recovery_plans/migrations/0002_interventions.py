from django.db import migrations

# (code, label, NDTMS modality type code): 94 pharmacological, 95 psychosocial, 96 recovery support,
# 97 inpatient detox, 98 residential rehab.
INTERVENTIONS = [
    ("PRESC", "Prescribing", "94"),
    ("CDETOX", "Community detox", "94"),
    ("HDETOX", "Home detox", "94"),
    ("DDETOX", "Day detox", "94"),
    ("CBT", "Cognitive behavioural therapy (CBT)", "95"),
    ("MI", "Motivational interviewing (MI)", "95"),
    ("ITEP", "International treatment effectiveness project (ITEP) mapping", "95"),
    ("CRA", "Community reinforcement approach (CRA)", "95"),
    ("SBNT", "Social behaviour and network therapy (SBNT)", "95"),
    ("RELPREV", "Relapse prevention", "95"),
    ("COUNS", "Counselling", "95"),
    ("DAYPROG", "Structured day programme", "95"),
    ("GROUP", "Group work", "95"),
    ("PEER", "Peer mentoring", "96"),
    ("MUTUAL", "Mutual aid", "96"),
    ("FAMILY", "Family support", "96"),
    ("HOUSING", "Housing support", "96"),
    ("ETE", "Employment, education and training (ETE)", "96"),
    ("IPDETOX", "Inpatient detox referral", "97"),
    ("RESREHAB", "Residential rehab referral", "98"),
]


def load(apps, schema_editor):
    Intervention = apps.get_model("recovery_plans", "Intervention")
    ModalityType = apps.get_model("core", "ModalityType")
    types = {t.code: t for t in ModalityType.objects.all()}
    for order, (code, label, modal) in enumerate(INTERVENTIONS):
        Intervention.objects.update_or_create(
            code=code, defaults={"label": label, "modality_type": types[modal], "sort_order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("recovery_plans", "0001_initial"), ("core", "0002_reference_codes")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
