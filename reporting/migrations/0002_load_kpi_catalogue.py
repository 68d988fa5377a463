"""Every KPI of domain.md section 5, in its order. A data admin may change a threshold afterwards (audited)."""

from decimal import Decimal

from django.db import migrations

EPISODES_FIRST_MODALITY = (
    "Episodes whose first modality (earliest start, ties: earliest referral) started in the period"
)
EPISODES_OPENED = "Episodes opened (triaged into structured treatment) in the period"

# code, title, population, numerator, kind, threshold, comparison, direction, source
CATALOGUE = [
    ("W21", "First intervention waited 21 days or less", EPISODES_FIRST_MODALITY,
     "First modality start minus that modality's referral date is 21 days or less",
     "rate", "0.95", ">=", "higher", "SPEC App.1"),
    ("W42", "First interventions that waited 42 days or more", EPISODES_FIRST_MODALITY,
     "Count whose first modality start minus its referral date is 42 days or more",
     "count", "0", "=", "lower", "SPEC App.1"),
    ("RTT3", "Referral to treatment under 3 weeks", EPISODES_FIRST_MODALITY,
     "First modality start minus the referral received date is under 21 days",
     "rate", "0.95", ">=", "higher", "SPEC 15 1a"),
    ("RTT4", "Referral to treatment under 4 weeks", EPISODES_FIRST_MODALITY,
     "First modality start minus the referral received date is under 28 days",
     "rate", "1", "=", "higher", "SPEC 15 1a"),
    ("FC3", "First contact within 3 working days",
     "Eligible referrals received in the period, except those due after the period end with no first contact by it",
     "First contact by phone or in person on or before received + 3 working days",
     "rate", "0.95", ">=", "higher", "SPEC 12 (local)"),
    ("CJ5", "Criminal justice clients start within 5 working days",
     "Episodes from a criminal-justice referral source whose first modality started in the period",
     "First modality start on or before referral received + 5 working days",
     "rate", "0.90", ">=", "higher", "SPEC App.1"),
    ("RX10", "Prescribing starts within 10 working days",
     "Prescribing modalities started in the period, except the one a DRR order clocks",
     "Start on or before the modality's referral + 10 working days",
     "rate", "1", "=", "higher", "SPEC 10.3 (local)"),
    ("DRR5", "DRR prescribing within 5 working days of the order",
     "Prescribing modalities clocked by a DRR order, started in the period",
     "Start on or before the order date + 5 working days",
     "rate", "1", "=", "higher", "SPEC 10.3 (local)"),
    ("RAP3", "Plan in place within 3 weeks of treatment start",
     "Episodes whose due date (first modality start + 21 days) is in the period",
     "First signed-off plan on or before the due date",
     "rate", "0.95", ">=", "higher", "SPEC 15 3a"),
    ("RAP12", "Plan reviewed within 12 weeks of assessment",
     "Episodes whose due date (first completed comprehensive assessment + 84 days) is in the period",
     "A plan review on or before the due date",
     "rate", "0.95", ">=", "higher", "SPEC 15 3b"),
    ("KW", "New episodes with a keyworker", EPISODES_OPENED,
     "A keyworker allocated by the period end", "rate", "0.95", ">=", "higher", "SPEC 15 3d"),
    ("JW", "New episodes joint worked", EPISODES_OPENED,
     "At least one partner agency involvement recorded by the period end",
     "rate", "0.95", ">=", "higher", "SPEC 15 3c"),
    ("PDA", "Planned discharge, alcohol",
     "Alcohol episodes (assessment as at the period end) discharged in the period with a non-neutral reason",
     "Discharged with a successful reason", "rate", "0.65", ">=", "higher", "SPEC 15 5a, App.1"),
    ("PDD", "Planned discharge, drugs",
     "Opiate and non-opiate episodes (assessment as at the period end) discharged in the period, non-neutral",
     "Discharged with a successful reason", "rate", "0.55", ">=", "higher", "SPEC 15 5a, App.1"),
    ("SIR0", "Outstanding sub-intervention reviews", "Modalities open at the period end",
     "Count whose latest review on or before the period end (or, with none, the start) is over 182 days before it",
     "count", "0", "=", "lower", "SPEC App.1"),
    ("HBO", "Hepatitis B vaccination offered",
     "Episodes opened in the period whose person was not found already immune by the period end",
     "Hepatitis B vaccination offered by the period end", "rate", "0.95", ">=", "higher", "SPEC App.1"),
    ("HBR", "Hepatitis B offered and refused", "As HBO, offered by the period end",
     "Refused (the latest answer by the period end)", "rate", "0.10", "<=", "lower", "SPEC App.1"),
    ("HBC", "Hepatitis B accepted and course completed",
     "Episodes opened in the 12 months ending at the period end whose person accepted a course by then",
     "Course completed by the period end", "rate", "0.75", ">=", "higher", "SPEC App.1"),
    ("HB1", "Hepatitis B accepted and at least one dose", "As HBC",
     "At least one dose of an accepted course by the period end", "rate", "0.90", ">=", "higher", "SPEC App.1"),
    ("HCV", "Injectors offered a hepatitis C test",
     "Episodes opened in the period whose injecting status (assessment as at the period end) is current or previous",
     "A hepatitis C test offered by the period end", "rate", "0.95", ">=", "higher", "SPEC App.1"),
    ("REP-O", "Re-presentations, opiate", EPISODES_OPENED,
     "Count whose person had an earlier opiate episode discharged successfully 183 days or fewer before this "
     "referral was received", "count", "0", "=", "lower", "SPEC App.1"),
    ("REP-N", "Re-presentations, non-opiate", EPISODES_OPENED,
     "Count whose person had an earlier non-opiate episode discharged successfully 183 days or fewer before this "
     "referral was received", "count", "0", "=", "lower", "SPEC App.1"),
    ("DQ", "Data completeness", "Episodes open at the period end",
     "Mean share of the 15 required return fields that are filled as at the period end",
     "mean", "0.95", ">=", "higher", "SPEC 17 item 3 (local)"),
]  # fmt: skip


def load(apps, schema_editor):
    Kpi = apps.get_model("reporting", "Kpi")
    for position, row in enumerate(CATALOGUE, start=1):
        code, title, population, numerator, kind, threshold, comparison, direction, source = row
        Kpi.objects.update_or_create(
            code=code,
            defaults={
                "title": title,
                "population": population,
                "numerator": numerator,
                "kind": kind,
                "threshold": Decimal(threshold),
                "comparison": comparison,
                "direction": direction,
                "source": source,
                "sort_order": position * 10,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0001_kpi_catalogue_snapshots_recomputations"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
