from django.db import migrations

INJECTED_DRUGS = [
    ("HER", "Heroin", False),
    ("CRK", "Crack cocaine", False),
    ("COC", "Powder cocaine", False),
    ("AMP", "Amphetamine", False),
    ("MET", "Methamphetamine", False),
    ("KET", "Ketamine", False),
    ("MEPH", "Mephedrone and other cathinones", False),
    ("STER", "Anabolic steroids", True),
    ("HGH", "Human growth hormone", True),
    ("MT2", "Melanotan", True),
    ("PEPT", "Peptides and other IPEDs", True),
    ("OTH", "Other", False),
]
EQUIPMENT = [
    ("N25O", "Needle 25G orange", True, False),
    ("N23B", "Needle 23G blue", True, False),
    ("N21G", "Needle 21G green", True, False),
    ("S1ML", "Syringe 1ml fixed needle", True, False),
    ("S2ML", "Syringe 2ml", False, False),
    ("S5ML", "Syringe 5ml", False, False),
    ("FOIL", "Foil", False, False),
    ("CITR", "Citric acid", False, False),
    ("SPFL", "Spoons and filters", False, False),
    ("SWAB", "Swabs", False, False),
    ("BIN1", "Sharps bin 1 litre", False, True),
    ("BIN5", "Sharps bin 5 litre", False, True),
]


def add_codes(apps, schema_editor):
    InjectedDrug = apps.get_model("harm_reduction", "InjectedDrug")
    EquipmentItem = apps.get_model("harm_reduction", "EquipmentItem")
    for order, (code, label, ipeds) in enumerate(INJECTED_DRUGS):
        InjectedDrug.objects.update_or_create(code=code, defaults={"label": label, "ipeds": ipeds, "sort_order": order})
    for order, (code, label, needle, sharps_bin) in enumerate(EQUIPMENT):
        EquipmentItem.objects.update_or_create(
            code=code,
            defaults={"label": label, "is_needle": needle, "is_sharps_bin": sharps_bin, "sort_order": order},
        )


class Migration(migrations.Migration):
    dependencies = [("harm_reduction", "0001_initial")]

    operations = [migrations.RunPython(add_codes, migrations.RunPython.noop)]
