"""Model permissions each role holds. Every app lists its own in `<app>/roles.py`; groups are synced
after each migrate, so a new model's permissions reach the roles without a hand-made step."""

from core.choices import Role

REFERENCE_MODELS = [
    "sex",
    "ethnicity",
    "referralsource",
    "substance",
    "route",
    "injectingstatus",
    "hepatitisbstatus",
    "hepatitisbvaccination",
    "hepatitiscstatus",
    "modalitytype",
    "modalitysetting",
    "modalityexitstatus",
    "treatmentstage",
    "dischargereason",
]

ROLE_PERMISSIONS = {
    Role.DATA_ADMIN: [
        *[f"core.{verb}_{model}" for model in REFERENCE_MODELS for verb in ("view", "add", "change")],
        "core.view_auditevent",
        "core.view_jobrun",
        "core.view_user",
        "core.view_team",
    ],
    Role.TEAM_MANAGER: ["core.view_team", "core.view_user"],
}
