"""The signed-in user, read with their roles, teams and permissions in one query on each request."""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.db import connection

from core.models import Team, User


def _user_sql() -> tuple[str, list[str]]:
    """The user's row and three arrays: group names, team ids, and permissions (their own and their groups', as
    "app_label.codename", what `has_perm` asks). Written out, table names from the models: the ORM's form of the
    same query cost more Python than the four queries it replaces."""
    columns = [field.column for field in User._meta.concrete_fields]
    user_groups = User.groups.through._meta.db_table
    user_permissions = User.user_permissions.through._meta.db_table
    group_permissions = Group.permissions.through._meta.db_table
    sql = f"""
        SELECT {", ".join(f'u."{column}"' for column in columns)},
            ARRAY(SELECT g.name FROM auth_group g JOIN {user_groups} ug ON ug.group_id = g.id WHERE ug.user_id = u.id),
            ARRAY(SELECT m.team_id FROM {Team.members.through._meta.db_table} m WHERE m.user_id = u.id),
            ARRAY(
                SELECT t.app_label || '.' || p.codename
                FROM auth_permission p JOIN django_content_type t ON t.id = p.content_type_id
                WHERE p.id IN (
                    SELECT permission_id FROM {user_permissions} WHERE user_id = u.id
                    UNION SELECT gp.permission_id FROM {group_permissions} gp
                        JOIN {user_groups} ug ON ug.group_id = gp.group_id WHERE ug.user_id = u.id
                )
            )
        FROM {User._meta.db_table} u WHERE u.id = %s
    """  # nosec B608: the names are the models' own tables and columns; the user's id is a parameter
    return sql, [field.attname for field in User._meta.concrete_fields]


class UserBackend(ModelBackend):
    """Django's password backend, whose reading of the signed-in user also reads their group names, team ids and
    permissions: every signed-in request paid a query each for the user, `User.roles` and the visibility rule's
    teams, and pages with record links two more for `has_perm`; now one for all of them."""

    _sql = None

    def get_user(self, user_id):
        if UserBackend._sql is None:
            UserBackend._sql = _user_sql()
        sql, attnames = UserBackend._sql
        # The signed-in account always reads the primary (core.replica), as the ORM's read of it did.
        with connection.cursor() as cursor:
            cursor.execute(sql, [user_id])
            row = cursor.fetchone()
        if row is None:
            return None
        group_names, team_ids, granted = row[len(attnames) :]
        user = User.from_db(connection.alias, attnames, row[: len(attnames)])
        if not self.user_can_authenticate(user):
            return None
        user.remember_groups(group_names)
        user.remember_teams(team_ids)
        if not user.is_superuser:  # a superuser holds every permission: `has_perm` never reads the cache
            user._perm_cache = set(granted)  # ModelBackend's own cache, which `has_perm` reads
        return user
