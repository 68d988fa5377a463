from django.apps import AppConfig


class HarmReductionConfig(AppConfig):
    name = "harm_reduction"

    def ready(self):
        from harm_reduction import record_pages as own
        from referrals import record_pages

        record_pages.register_person_panel(own.person_panel)
        record_pages.register_episode_links(own.episode_links)
