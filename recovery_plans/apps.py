from django.apps import AppConfig


class RecoveryPlansConfig(AppConfig):
    name = "recovery_plans"

    def ready(self):
        from core import subject_access

        subject_access.register(
            {
                "recovery_plans.RecoveryPlan": "episode__person",
                "recovery_plans.PlanVersion": "plan__episode__person",
                "recovery_plans.Goal": "plan_version__plan__episode__person",
                "recovery_plans.Action": "goal__plan_version__plan__episode__person",
                "recovery_plans.Modality": "episode__person",
            }
        )
        from recovery_plans import links_modalities, links_plans
        from recovery_plans.deadlines import PROVIDERS
        from recovery_plans.services.modalities import open_modality_names
        from referrals import caseload, discharge_checks, record_pages

        # Discharge is refused while any modality of the episode is still open.
        discharge_checks.register(open_modality_names)
        for provider in PROVIDERS:
            caseload.register(provider)
        record_pages.register_episode_links(links_plans.episode_links)
        record_pages.register_episode_links(links_modalities.episode_links)
