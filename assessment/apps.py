from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "assessment"

    def ready(self):
        from core import subject_access

        subject_access.register({"assessment.Assessment": "episode__person", "assessment.Top": "episode__person"})
        from assessment import caseload as assessment_caseload
        from assessment import links
        from referrals import caseload, record_pages

        caseload.register(assessment_caseload.top_review_due)
        caseload.register(assessment_caseload.assessment_due)
        record_pages.register_episode_links(links.episode_links)
