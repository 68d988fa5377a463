"""copy_insert writes what bulk_create would, for the value types the demo data uses."""

import pytest

from core.bulk import copy_insert, reserve_ids
from core.choices import AuditAction, TeamKind
from core.models import AuditEvent, DemoSeedRun, Team
from referrals.factories import ReferralFactory
from referrals.models import Referral

pytestmark = pytest.mark.django_db

AWKWARD = "tab\there, line\nbreak, back\\slash, \\N and 'quotes'"


def test_copy_insert_round_trips_text_json_nulls_and_booleans(data_admin):
    events = copy_insert(
        [
            AuditEvent(
                actor=data_admin,
                actor_username=data_admin.username,
                action=AuditAction.CREATE,
                object_repr=AWKWARD,
                details={"note": AWKWARD, "count": 2, "nested": [None, True]},
            ),
            AuditEvent(action=AuditAction.VIEW, ip_address=None),
        ]
    )
    first, second = AuditEvent.objects.order_by("pk")
    assert [first.pk, second.pk] == [event.pk for event in events]
    assert first.object_repr == AWKWARD
    assert first.details == {"note": AWKWARD, "count": 2, "nested": [None, True]}
    assert first.actor == data_admin
    assert first.action == "create"
    assert second.actor is None
    assert second.ip_address is None
    assert second.details == {}
    # auto_now_add is stamped as on save().
    assert first.at is not None
    assert first.at == events[0].at

    copy_insert([Team(name="Outreach", kind=TeamKind.HARM_REDUCTION, active=False)])
    assert Team.objects.get(name="Outreach").active is False


def test_copy_insert_keeps_given_ids_and_numbers_the_rest_from_the_sequence():
    given = reserve_ids(DemoSeedRun, 1)[0]
    runs = copy_insert(
        [DemoSeedRun(pk=given, app_label="a", seed=1, people=3), DemoSeedRun(app_label="b", seed=2, people=0)]
    )
    assert runs[0].pk == given
    assert runs[1].pk > given
    assert not runs[1]._state.adding
    # The sequence moved past both, so the ORM's next insert does not collide.
    assert DemoSeedRun.objects.create(app_label="c", seed=3, people=1).pk > runs[1].pk


def test_copy_insert_refuses_a_value_it_cannot_write_rather_than_guessing():
    with pytest.raises(TypeError, match="use bulk_create"):
        copy_insert([DemoSeedRun(app_label=object(), seed=1, people=1)])


def test_a_column_left_to_its_database_default_is_filled_by_the_database_and_read_back():
    template = ReferralFactory()
    built = [ReferralFactory.build(person=template.person, team=template.team) for _ in range(2)]
    copy_insert(built)

    numbers = [referral.episode_id for referral in built]
    assert all(number.startswith("E") for number in numbers)
    assert len({template.episode_id, *numbers}) == 3
    stored = Referral.objects.filter(pk__in=[referral.pk for referral in built]).values_list("episode_id", flat=True)
    assert set(stored) == set(numbers)


def test_copy_insert_refuses_a_database_default_left_for_some_objects_only():
    template = ReferralFactory()
    built = [ReferralFactory.build(person=template.person, team=template.team) for _ in range(2)]
    built[0].episode_id = "E99999999"
    with pytest.raises(TypeError, match="episode_id given for every object or for none"):
        copy_insert(built)


def test_copy_rows_round_trips_awkward_text_quotes_empty_strings_nulls_and_datetimes(data_admin):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from core.bulk import copy_rows

    at = datetime(2025, 4, 1, 12, 0, tzinfo=ZoneInfo("Europe/London"))
    awkward = AWKWARD + ', a "double" quote, a comma,'
    columns = ["at", "actor_id", "actor_username", "action", "object_type", "object_id", "object_repr"]
    columns += ["request_id", "ip_address", "path", "details", "previous_hash", "row_hash"]
    copy_rows(
        AuditEvent,
        columns,
        [
            (at, data_admin.pk, "", AuditAction.CREATE, "t", "1", awkward, "", None, "", '{"n": 1}', "", ""),
            (at, None, "x", AuditAction.VIEW, "t", "2", "", "", "10.0.0.1", "", "{}", "", ""),
        ],
    )
    first, second = AuditEvent.objects.order_by("pk")
    assert first.object_repr == awkward
    assert first.actor_username == ""  # an empty string on a column that is not nullable stays empty
    assert first.ip_address is None  # None on a nullable column is NULL
    assert first.action == "create"
    assert first.at == at
    assert first.details == {"n": 1}
    assert second.actor is None
    assert second.ip_address == "10.0.0.1"
