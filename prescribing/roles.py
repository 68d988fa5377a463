from core.choices import Role

CLINICAL_RECORDS = [
    "clinicalassessment",
    "prescription",
    "plannedstep",
    "safestorage",
    "sharedcaretransfer",
    "drugtest",
    "drugtestresult",
    "detoxplan",
    "detoxstep",
    "residentialreferral",
]

ROLE_PERMISSIONS = {
    # Only prescribers assess clinically and prescribe; the rest of the care team sees and records around it.
    Role.PRESCRIBER: [
        *[f"prescribing.{verb}_{model}" for model in CLINICAL_RECORDS for verb in ("view", "add", "change")],
        "prescribing.view_pharmacy",
        "prescribing.view_medication",
    ],
    Role.KEYWORKER: [
        *[f"prescribing.view_{model}" for model in CLINICAL_RECORDS],
        "prescribing.add_drugtest",
        "prescribing.add_safestorage",
        "prescribing.view_pharmacy",
        "prescribing.view_medication",
    ],
    Role.ASSESSOR: [f"prescribing.view_{model}" for model in CLINICAL_RECORDS],
    Role.TEAM_MANAGER: [f"prescribing.view_{model}" for model in CLINICAL_RECORDS],
    Role.DATA_ADMIN: [
        *[f"prescribing.{verb}_{model}" for model in ("medication", "pharmacy") for verb in ("view", "add", "change")],
        *[f"prescribing.view_{model}" for model in CLINICAL_RECORDS],
    ],
}
