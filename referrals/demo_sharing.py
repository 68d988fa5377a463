"""Demo shares: the manager shares an ARM person's record with the prescriber (outside the manager's teams) for
two weeks, so the prescriber finds it under "Shared with me" and the data admin on "Shared records"; an older
share ended early shows the history. Both go through the service, as a manager would."""

from datetime import timedelta

from django.utils import timezone

from referrals.models import Person
from referrals.services.sharing import end_share, share_record


def seed(context):
    manager, worker = context.staff["manager"], context.staff["prescriber"]
    # People the manager's teams work with whom the prescriber cannot already open.
    candidates = list(
        Person.objects.visible_to(manager)
        .filter(team_involvements__team__name="ARM")
        .exclude(pk__in=Person.objects.visible_to(worker).values("pk"))
        .order_by("pk")
        .values_list("pk", flat=True)[:2]
    )
    if len(candidates) < 2:
        return
    today = timezone.localdate()
    ended, live = (Person.objects.get(pk=pk) for pk in candidates)
    earlier = share_record(
        actor=manager,
        person=ended,
        worker=worker,
        reason="Medication review asked for by the GP; done",
        ends_on=today + timedelta(days=7),
    )
    end_share(actor=manager, share=earlier)
    share_record(
        actor=manager,
        person=live,
        worker=worker,
        reason="Joint review of the prescription with the hospital liaison team",
        ends_on=today + timedelta(days=14),
    )
