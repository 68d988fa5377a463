"""Demo merges: two people recorded twice at reception. One duplicate is merged and the merge undone (the
two records are whole again, the audit shows both steps); the other stays merged, so a data admin sees
"Undo this merge" on the kept person's page. Both go through the services, as a data admin would."""

from datetime import timedelta

from django.utils import timezone

from core.models import ReferralSource
from referrals.models import Person
from referrals.services.intake import referral_create
from referrals.services.merge import person_merge, person_merge_undo
from referrals.services.people import person_create


def _record_again(original: Person, *, referrer, source, phone: str) -> Person:
    """The same person typed again with the surname spelt another way and a newer phone number."""
    duplicate = person_create(
        actor=referrer,
        data={
            "given_name": original.given_name,
            "family_name": original.family_name + "e",
            "date_of_birth": original.date_of_birth,
            "sex": original.sex,
            "phone": phone,
            "postcode": original.postcode,
            "preferred_worker_gender": original.preferred_worker_gender,
            "veteran": True,
        },
    )
    referral_create(
        actor=referrer,
        person=duplicate,
        received_at=timezone.now() - timedelta(days=1),
        source=source,
        reason="Asked for help at reception (recorded again by mistake)",
        lives_in_city=True,
        registered_with_city_gp=True,
    )
    return duplicate


def seed(context):
    rng = context.rng
    referrer, admin = context.staff["referrer"], context.staff["data.admin"]
    source = ReferralSource.objects.filter(active=True).order_by("code").first()
    # People with no episode, so either record may be kept (a person has at most one open episode).
    candidates = list(
        Person.objects.filter(merged_into__isnull=True, episodes__isnull=True, referrals__isnull=False)
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)[:200]
    )
    if len(candidates) < 2:
        return
    undone_pk, kept_pk = rng.sample(candidates, 2)
    for pk, phone, undo in ((undone_pk, "07700 900111", True), (kept_pk, "07700 900222", False)):
        original = Person.objects.get(pk=pk)
        duplicate = _record_again(original, referrer=referrer, source=source, phone=phone)
        merge = person_merge(actor=admin, keep=original, duplicate=duplicate)
        if undo:
            person_merge_undo(actor=admin, merge=merge)
