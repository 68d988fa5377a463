from django.apps import AppConfig


class HarmReductionConfig(AppConfig):
    name = "harm_reduction"

    def ready(self):
        from core import subject_access

        subject_access.register({"harm_reduction.BbvTest": "person", "harm_reduction.HepBCourse": "person"})
        from harm_reduction import record_pages as own
        from referrals import record_pages

        record_pages.register_person_panel(own.person_panel)
        record_pages.register_episode_links(own.episode_links)
