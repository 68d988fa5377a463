from core.choices import Role
from referrals.choices import TaskKind

ROLE_PERMISSIONS = {
    Role.DATA_ADMIN: ["referrals.view_person", "referrals.change_person", "referrals.view_referral"],
}

# Who may break the glass on a record outside their scope (issue 15, item 9): staff who treat people.
# Referrers and commissioners never; data admins see everyone already.
BREAK_GLASS_ROLES = (Role.KEYWORKER, Role.ASSESSOR, Role.TEAM_MANAGER, Role.PRESCRIBER, Role.HARM_REDUCTION_WORKER)
# Who reads a person's full assessments, TOPs, court orders, breach reports and carers (domain.md section 1);
# harm reduction workers see the person's identity and NSP/BBV records only. Data admins see everything.
TREATMENT_DETAIL_ROLES = (Role.KEYWORKER, Role.ASSESSOR, Role.TEAM_MANAGER, Role.PRESCRIBER)
# Who may receive a shared record (the clinical roles that treat people) and who may share one.
SHARE_RECIPIENT_ROLES = BREAK_GLASS_ROLES
SHARING_ROLES = (Role.TEAM_MANAGER,)
# The tasks a role without treatment detail may read on the people in its scope: the referrals its own
# blood-borne-virus results raise. Every other task title is treatment detail (referrals.querysets.TaskQuerySet).
HARM_REDUCTION_TASK_KINDS = (TaskKind.HEPATOLOGY_REFERRAL, TaskKind.HIV_REFERRAL)
