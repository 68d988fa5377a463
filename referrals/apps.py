from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"

    def ready(self):
        from core import subject_access
        from referrals import record_pages
        from referrals.models import Person

        subject_access.register(
            {
                "referrals.Person": "pk",
                "referrals.Referral": "person",
                "referrals.Episode": "person",
                "referrals.Allocation": "episode__person",
            },
            person_model=Person,
        )
        record_pages.register_person_panel(record_pages.subject_access_panel)
