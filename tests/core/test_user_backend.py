"""The signed-in user is read with their roles, teams and permissions in one query (core.user_backend)."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission

from core.choices import Role
from core.factories import TeamFactory
from core.models import User
from core.user_backend import UserBackend

pytestmark = pytest.mark.django_db


def test_one_query_reads_the_user_with_the_roles_teams_and_permissions_django_would_read(
    staff, django_assert_num_queries
):
    user = staff(Role.KEYWORKER)
    user.groups.add(*staff(Role.ASSESSOR).groups.all())
    teams = {TeamFactory().pk, TeamFactory().pk}
    user.teams.add(*teams)
    user.user_permissions.add(Permission.objects.get(codename="view_auditevent"))
    with django_assert_num_queries(1):
        signed_in = UserBackend().get_user(user.pk)
        assert signed_in.roles == {Role.KEYWORKER, Role.ASSESSOR}
        assert signed_in.team_ids == teams
        assert signed_in.has_perm("core.view_auditevent")
        assert not signed_in.has_perm("core.delete_auditevent")
    fresh = User.objects.get(pk=user.pk)
    assert signed_in.get_all_permissions() == ModelBackend().get_all_permissions(fresh)
    assert len(signed_in.get_all_permissions()) > 1  # the groups' permissions as well as the user's own
    fields = ("username", "email", "date_joined", "is_active", "caseload_capacity")
    assert [getattr(signed_in, name) for name in fields] == [getattr(fresh, name) for name in fields]


def test_an_inactive_or_missing_user_is_nobody(staff):
    user = staff(Role.KEYWORKER)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert UserBackend().get_user(user.pk) is None
    assert UserBackend().get_user(user.pk + 1000) is None


def test_a_user_without_groups_or_teams_has_no_roles_and_no_teams(django_assert_num_queries):
    user = User.objects.create_user(username="nobody.in.particular", password="a-long-enough-password")
    with django_assert_num_queries(1):
        signed_in = UserBackend().get_user(user.pk)
        assert signed_in.roles == frozenset()
        assert signed_in.team_ids == frozenset()
