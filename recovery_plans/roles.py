from core.choices import Role

PLAN_RECORDS = ["recoveryplan", "planversion", "goal", "action", "plannedmodality", "planreview", "goalprogress"]
MODALITY_RECORDS = ["modality", "modalityreview"]
ALL_RECORDS = [*PLAN_RECORDS, *MODALITY_RECORDS]


def _view(models):
    return [f"recovery_plans.view_{model}" for model in models]


# Who may refer, record and review modalities (recovery_plans/services/modalities.py checks these):
# the assessor refers (domain.md 2.6); the care team delivering it records the offer, start, end and reviews.
# Who may draft or sign plans is decided by role in recovery_plans/services/plans.py.
ROLE_PERMISSIONS = {
    Role.ASSESSOR: [
        *_view(ALL_RECORDS),
        "recovery_plans.view_intervention",
        "recovery_plans.add_modality",
        "recovery_plans.change_modality",
        "recovery_plans.add_modalityreview",
    ],
    Role.KEYWORKER: [
        *_view(ALL_RECORDS),
        "recovery_plans.view_intervention",
        "recovery_plans.change_modality",
        "recovery_plans.add_modalityreview",
    ],
    Role.PRESCRIBER: [
        *_view(ALL_RECORDS),
        "recovery_plans.view_intervention",
        "recovery_plans.change_modality",
        "recovery_plans.add_modalityreview",
    ],
    Role.TEAM_MANAGER: [
        *_view(ALL_RECORDS),
        "recovery_plans.view_intervention",
        "recovery_plans.change_modality",
        "recovery_plans.add_modalityreview",
    ],
    # Data admins keep the intervention code list and may read everything (every read audited).
    Role.DATA_ADMIN: [
        *_view(ALL_RECORDS),
        *[f"recovery_plans.{verb}_intervention" for verb in ("view", "add", "change")],
    ],
}
