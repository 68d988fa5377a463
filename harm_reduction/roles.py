from core.choices import Role

RECORDS = [
    "attender",
    "nspvisit",
    "nspissue",
    "nspsafeguardingtask",
    "hepbcourse",
    "hepbdose",
    "bbvtest",
    "naloxonesupply",
    "outreachcontact",
]

ROLE_PERMISSIONS = {
    Role.HARM_REDUCTION_WORKER: [
        *[f"harm_reduction.{verb}_{model}" for model in RECORDS for verb in ("view", "add", "change")],
        "harm_reduction.view_nspsite",
        "harm_reduction.view_equipmentitem",
        "harm_reduction.view_injecteddrug",
    ],
    Role.DATA_ADMIN: [
        *[f"harm_reduction.view_{model}" for model in RECORDS],
        "harm_reduction.change_attender",
        *[
            f"harm_reduction.{verb}_{model}"
            for model in ("nspsite", "equipmentitem", "injecteddrug")
            for verb in ("view", "add", "change")
        ],
    ],
}
