from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Staff, reference data and audit"

    def ready(self):
        from core import signals  # noqa: F401  (sign-in auditing and role permission sync)
        from core.api_input import install_serializer_defaults

        install_serializer_defaults()
        from referrals import record_pages

        record_pages.register_person_panel(subject_access_panel)


def subject_access_panel(person, user):
    """The link to who viewed or changed the record, on the person page of a data admin (no query)."""
    from django.urls import reverse

    from core.views_subject_access import is_data_admin
    from referrals.record_pages import RecordPanel

    if not is_data_admin(user):
        return None
    return RecordPanel(
        title="Subject access",
        template="core/subject_access_panel.html",
        context={"url": reverse("subject-access", args=[person.pk])},
    )
