from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


def _resync_role_permissions(sender, using="default", **kwargs):
    """core syncs role groups when its own post_migrate fires, before this app's permissions exist on a fresh
    database; syncing again once they do gives prescribers their permissions on the first migrate."""
    from core.signals import sync_role_permissions

    sync_role_permissions(sender, app_config=apps.get_app_config("core"), using=using)


class PrescribingConfig(AppConfig):
    name = "prescribing"

    def ready(self):
        from core import subject_access

        subject_access.register({"prescribing.Prescription": "person", "prescribing.DrugTest": "person"})
        from prescribing import links, services, waits
        from recovery_plans.services.modalities import register_start_evidence
        from referrals import caseload, clock_inputs, discharge_checks, record_pages

        post_migrate.connect(_resync_role_permissions, sender=self, dispatch_uid="prescribing_role_permissions")
        # The prescribing clock shows on the keyworker's caseload; the episode page links to the records.
        caseload.register(waits.caseload_due_items)
        # Its stored due date follows the DRR orders, merges and modalities the lower apps record.
        clock_inputs.register(waits.refresh_start_due_of_people)
        record_pages.register_episode_links(links.episode_links)
        # Discharge is refused while a GP still prescribes under shared care: the prescriber ends it first.
        discharge_checks.register(services.open_shared_care_names)
        # Discharge ends every prescription of the episode still running on the discharge date.
        discharge_checks.register_on_discharge(services.end_prescriptions_at_discharge)
        # A modality whose script has begun did start: it cannot be closed as never started.
        register_start_evidence(services.modality_start_evidence)
