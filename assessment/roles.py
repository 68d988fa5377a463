from core.choices import Role

CODE_LISTS = ["accommodationneed", "employmentstatus", "parentalstatus", "childrenlivingwith", "dualdiagnosis"]

ROLE_PERMISSIONS = {
    # Data admins keep the assessment's code lists; who may write assessments is decided in assessment.services.
    Role.DATA_ADMIN: [f"assessment.{verb}_{model}" for model in CODE_LISTS for verb in ("view", "add", "change")],
}
