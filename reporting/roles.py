from core.choices import Role

ROLE_PERMISSIONS = {
    Role.COMMISSIONER: [
        "reporting.view_kpi",
        "reporting.view_kpisnapshot",
        "reporting.view_kpirecomputation",
        "reporting.add_kpirecomputation",
    ],
    # A data admin keeps the catalogue: thresholds are changed in the admin, each change audited.
    Role.DATA_ADMIN: [
        "reporting.view_kpi",
        "reporting.change_kpi",
        "reporting.view_kpisnapshot",
        "reporting.view_kpirecomputation",
        "reporting.add_kpirecomputation",
        # Returns: exports are a data admin's alone (the pages and API check the role as well).
        "reporting.view_returnexport",
        "reporting.add_returnexport",
        "reporting.view_monthlyreturncheck",
        # Transfer-of-care imports write every app's records: data admins only (issue 13).
        "reporting.view_transferimport",
        "reporting.add_transferimport",
        # The dashboard's reference data: published comparators, and the feedback staff record.
        "reporting.view_kpicomparator",
        "reporting.add_kpicomparator",
        "reporting.change_kpicomparator",
        "reporting.view_servicefeedback",
    ],
    Role.TEAM_MANAGER: ["reporting.view_kpi", "reporting.view_kpisnapshot"],
}
