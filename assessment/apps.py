from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "assessment"

    def ready(self):
        from assessment import caseload as assessment_caseload
        from referrals import caseload

        caseload.register(assessment_caseload.top_review_due)
        caseload.register(assessment_caseload.assessment_due)
