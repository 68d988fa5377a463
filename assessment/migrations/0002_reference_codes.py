"""Code lists owned by the assessment: ACCMNEED, EMPSTAT, PRNTSTAT, CHILDWTH, DUALDIAG.

These are plausible NDTMS-style codes written from the core dataset's published shape; they MUST be checked
against OHID's current NDTMS adult treatment reference tables before a live return is sent (data admins can
edit labels and retire codes in the admin). Every list carries a "declined / not known" code so an assessment
can be completed when the person does not answer.
"""

from django.db import migrations

ACCOMMODATION_NEED = [
    ("1", "No housing problem"),
    ("2", "Housing problem"),
    ("3", "Urgent housing problem (no fixed abode)"),
    ("Z", "Declined / not known"),
]
EMPLOYMENT_STATUS = [
    ("01", "Regular employment"),
    ("02", "Pupil or student"),
    ("03", "Long-term sick or disabled"),
    ("04", "Homemaker"),
    ("05", "Unemployed and seeking work"),
    ("06", "Not receiving benefits"),
    ("07", "Unpaid voluntary work"),
    ("08", "Retired from paid work"),
    ("09", "Other"),
    ("99", "Declined / not known"),
]
PARENTAL_STATUS = [
    ("11", "All the children live with the person"),
    ("12", "Some of the children live with the person"),
    ("13", "None of the children live with the person"),
    ("14", "Not a parent"),
    ("15", "Declined / not known"),
]
# code, label, children in the household
CHILDREN_LIVING_WITH = [
    ("11", "Own children live with the person", True),
    ("12", "Other children live with the person", True),
    ("13", "Own and other children live with the person", True),
    ("14", "No children live with the person", False),
    ("15", "Declined / not known", False),
]
DUAL_DIAGNOSIS = [
    ("Y", "Yes, a diagnosed mental health condition"),
    ("N", "No"),
    ("Z", "Declined / not known"),
]


def load(apps, schema_editor):
    def put(model_name, rows, fields=()):
        model = apps.get_model("assessment", model_name)
        for order, (code, label, *extra) in enumerate(rows):
            model.objects.update_or_create(
                code=code, defaults={"label": label, "sort_order": order, **dict(zip(fields, extra, strict=True))}
            )

    put("AccommodationNeed", ACCOMMODATION_NEED)
    put("EmploymentStatus", EMPLOYMENT_STATUS)
    put("ParentalStatus", PARENTAL_STATUS)
    put("ChildrenLivingWith", CHILDREN_LIVING_WITH, ("children_in_household",))
    put("DualDiagnosis", DUAL_DIAGNOSIS)


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
