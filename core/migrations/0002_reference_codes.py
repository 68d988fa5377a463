"""Seed reference codes from domain.md sections 3 and 4a (NDTMS-style; data admins may edit them)."""

from django.db import migrations

SEX = [("M", "Male"), ("F", "Female"), ("X", "Other"), ("Z", "Not stated")]
ETHNICITY = [
    ("A", "White: British"),
    ("B", "White: Irish"),
    ("C", "White: any other White background"),
    ("D", "Mixed: White and Black Caribbean"),
    ("E", "Mixed: White and Black African"),
    ("F", "Mixed: White and Asian"),
    ("G", "Mixed: any other mixed background"),
    ("H", "Asian or Asian British: Indian"),
    ("J", "Asian or Asian British: Pakistani"),
    ("K", "Asian or Asian British: Bangladeshi"),
    ("L", "Asian or Asian British: any other Asian background"),
    ("M", "Black or Black British: Caribbean"),
    ("N", "Black or Black British: African"),
    ("P", "Black or Black British: any other Black background"),
    ("R", "Other ethnic groups: Chinese"),
    ("S", "Other ethnic groups: any other ethnic group"),
    ("Z", "Not stated"),
]
REFERRAL_SOURCES = [
    ("1", "Drug service (statutory)", "substance_misuse_service"),
    ("2", "Drug service (non-statutory)", "substance_misuse_service"),
    ("3", "GP", "health_and_social_care"),
    ("4", "Self", "self_family_friends"),
    ("5", "Arrest referral / DIP", "criminal_justice"),
    ("6", "Drug Rehabilitation Requirement (DRR)", "criminal_justice"),
    ("7", "Alcohol Treatment Requirement (ATR, local)", "criminal_justice"),
    ("8", "Probation", "criminal_justice"),
    ("9", "A&E", "health_and_social_care"),
    ("10", "Syringe exchange", "other"),
    ("11", "Psychiatry", "health_and_social_care"),
    ("12", "Community care assessment", "health_and_social_care"),
    ("13", "Prison", "criminal_justice"),
    ("14", "Employment service", "other"),
    ("15", "Other", "other"),
    ("16", "Education service", "other"),
    ("19", "Social services", "health_and_social_care"),
    ("21", "Sex worker project", "other"),
    ("22", "General hospital", "health_and_social_care"),
    ("23", "Psychological services", "health_and_social_care"),
    ("24", "Relative", "self_family_friends"),
    ("25", "Concerned other", "self_family_friends"),
]
SUBSTANCES = [
    ("1011", "Heroin", "opiate"),
    ("1105", "Methadone (illicit)", "opiate"),
    ("1106", "Buprenorphine (illicit, local)", "opiate"),
    ("1000", "Other opiates", "opiate"),
    ("3201", "Crack", "non_opiate"),
    ("3200", "Cocaine", "non_opiate"),
    ("3100", "Amphetamines", "non_opiate"),
    ("3406", "Ecstasy", "non_opiate"),
    ("5000", "Cannabis", "non_opiate"),
    ("2200", "Benzodiazepines", "non_opiate"),
    ("4000", "Hallucinogens", "non_opiate"),
    ("6000", "Solvents", "non_opiate"),
    ("9005", "Prescription drugs", "non_opiate"),
    ("8799", "Other drugs", "non_opiate"),
    ("7000", "Alcohol", "alcohol"),
]
ROUTES = [("1", "Inject"), ("2", "Sniff"), ("3", "Smoke"), ("4", "Oral"), ("5", "Other")]
# code, label, ever injected
INJECTING = [
    ("C", "Currently injecting", True),
    ("P", "Previously injected", True),
    ("N", "Never injected", False),
    ("Z", "Declined to answer", False),
]
# code, label, already immune, offered, refused, accepted
HEP_B_STATUS = [
    ("A", "Offered and accepted", False, True, False, True),
    ("B", "Offered and refused", False, True, True, False),
    ("C", "Already immunised", True, False, False, False),
    ("D", "Not offered", False, False, False, False),
    ("E", "Acquired immunity", True, False, False, False),
]
HEP_B_VACCINATION = [
    ("1", "One dose", False),
    ("2", "Two doses", False),
    ("3", "Three doses", False),
    ("C", "Course completed", True),
]
HEP_C_STATUS = [
    ("A", "Offered and accepted", True),
    ("B", "Offered and refused", True),
    ("D", "Not offered", False),
]
MODALITY_TYPES = [
    ("94", "Pharmacological"),
    ("95", "Psychosocial"),
    ("96", "Recovery support"),
    ("97", "Inpatient detox (local)"),
    ("98", "Residential rehab (local)"),
]
MODALITY_SETTINGS = [
    ("1", "Primary care / shared care"),
    ("2", "Inpatient"),
    ("5", "Prison"),
    ("6", "Community"),
    ("7", "Recovery house"),
    ("8", "Residential"),
]
MODALITY_EXITS = [("A", "Planned"), ("B", "Unplanned"), ("C", "Withdrawn")]
TREATMENT_STAGES = [("S", "Start"), ("R", "Review"), ("E", "Exit"), ("P", "Post-exit")]
DISCHARGE_REASONS = [
    ("80", "Treatment completed, drug free", "successful"),
    ("81", "Treatment completed, alcohol free", "successful"),
    ("82", "Treatment completed, occasional user (not opiates or crack)", "successful"),
    ("83", "Transferred, not in custody", "neutral"),
    ("84", "Transferred, in custody", "neutral"),
    ("85", "Incomplete, dropped out", "unsuccessful"),
    ("86", "Incomplete, treatment withdrawn by provider", "unsuccessful"),
    ("87", "Incomplete, retained in custody", "neutral"),
    ("88", "Incomplete, treatment commencement declined by client", "unsuccessful"),
    ("89", "Incomplete, client died", "unsuccessful"),
]


def load(apps, schema_editor):
    def put(model_name, rows, fields=()):
        model = apps.get_model("core", model_name)
        for order, (code, label, *extra) in enumerate(rows):
            model.objects.update_or_create(
                code=code,
                defaults={"label": label, "sort_order": order, **dict(zip(fields, extra, strict=True))},
            )

    put("Sex", SEX)
    put("Ethnicity", ETHNICITY)
    put("ReferralSource", REFERRAL_SOURCES, ("group",))
    put("Substance", SUBSTANCES, ("group",))
    put("Route", ROUTES)
    put("InjectingStatus", INJECTING, ("ever_injected",))
    put("HepatitisBStatus", HEP_B_STATUS, ("already_immune", "offered", "refused", "accepted"))
    put("HepatitisBVaccination", HEP_B_VACCINATION, ("course_complete",))
    put("HepatitisCStatus", HEP_C_STATUS, ("offered",))
    put("ModalityType", MODALITY_TYPES)
    put("ModalitySetting", MODALITY_SETTINGS)
    put("ModalityExitStatus", MODALITY_EXITS)
    put("TreatmentStage", TREATMENT_STAGES)
    put("DischargeReason", DISCHARGE_REASONS, ("outcome",))


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
