from django.db import migrations

# (code, label, unit, maintenance): opioid substitutes continue without a gap after prison release.
MEDICATIONS = [
    ("MET", "Methadone oral solution 1mg/ml", "ml", True),
    ("BUP", "Buprenorphine sublingual", "mg", True),
    ("BUPPR", "Prolonged-release buprenorphine injection", "mg", True),
    ("BUPNX", "Buprenorphine with naloxone", "mg", True),
    ("NTX", "Naltrexone", "mg", False),
    ("ACA", "Acamprosate", "mg", False),
    ("DIS", "Disulfiram", "mg", False),
    ("CDP", "Chlordiazepoxide", "mg", False),
    ("DZP", "Diazepam", "mg", False),
    ("LOF", "Lofexidine", "micrograms", False),
    ("THI", "Thiamine", "mg", False),
    ("NLX", "Naloxone (take-home kit)", "mg", False),
]


def load(apps, schema_editor):
    Medication = apps.get_model("prescribing", "Medication")
    for order, (code, label, unit, maintenance) in enumerate(MEDICATIONS):
        Medication.objects.update_or_create(
            code=code, defaults={"label": label, "unit": unit, "maintenance": maintenance, "sort_order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("prescribing", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
