"""Who the bench signs in as, and which records it opens: picked from the data, so one bench fits any seed."""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice

from core.choices import Role
from core.models import User
from core.two_factor import DEMO_DEVICE, mark_demo_enrolled
from referrals.models import Allocation


@dataclass(frozen=True)
class Subjects:
    users: dict  # role -> User
    person_id: int | None
    episode_id: int | None
    family_name: str


def _holding(role):
    return User.objects.filter(is_active=True, groups__name=Role(role).label)


def _widest(role):
    """The holder of the role in the most teams: the widest scope, so the slowest of its lists."""
    return _holding(role).annotate(team_count=Count("teams")).order_by("-team_count", "pk").first()


def busiest_keyworker():
    """The keyworker holding the most open episodes: every list must stay bounded for them too."""
    row = (
        Allocation.objects.filter(ended_on__isnull=True, episode__discharged_on__isnull=True)
        .values("keyworker_id")
        .annotate(held=Count("pk"))
        .order_by("-held", "keyworker_id")
        .first()
    )
    return User.objects.get(pk=row["keyworker_id"]) if row else _holding(Role.KEYWORKER).order_by("pk").first()


def pick() -> Subjects:
    keyworker = busiest_keyworker()
    users = {
        Role.KEYWORKER: keyworker,
        Role.TEAM_MANAGER: _widest(Role.TEAM_MANAGER),
        Role.ASSESSOR: _widest(Role.ASSESSOR),
        Role.PRESCRIBER: _widest(Role.PRESCRIBER),
        Role.HARM_REDUCTION_WORKER: _widest(Role.HARM_REDUCTION_WORKER),
        Role.COMMISSIONER: _holding(Role.COMMISSIONER).order_by("pk").first(),
        Role.DATA_ADMIN: _holding(Role.DATA_ADMIN).order_by("pk").first(),
    }
    # An open episode of the keyworker's with a recovery plan, so the plan page shows one.
    held = Allocation.objects.filter(keyworker=keyworker, ended_on__isnull=True, episode__discharged_on__isnull=True)
    allocation = (
        held.filter(Q(episode__recovery_plan__isnull=False)).select_related("episode__person").order_by("pk").first()
        or held.select_related("episode__person").order_by("pk").first()
    )
    episode = allocation.episode if allocation else None
    return Subjects(
        users={role: user for role, user in users.items() if user is not None},
        person_id=episode.person_id if episode else None,
        episode_id=episode.pk if episode else None,
        family_name=episode.person.family_name if episode else "Smith",
    )


def signed_in(user) -> Client:
    """A test client past both factors, as after signing in with the demo device (never used in production:
    `bench` refuses to run there)."""
    client = Client(raise_request_exception=False)
    client.force_login(user)
    mark_demo_enrolled(user)
    device = StaticDevice.objects.get(user=user, name=DEMO_DEVICE)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
