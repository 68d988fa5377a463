"""Who sees harm reduction records.

Harm reduction workers (and data admins) see every NSP and BBV record of the service, anonymous
attenders included: they are the service's own NSP records. Anyone else sees a record only through the
person it is linked to (`Person.objects.visible_to`), so an anonymous visit never shows on a person's
record until the attender is linked. Commissioners see nothing, and referrers none of it (they see the
people they referred, not their treatment records).
"""

from django.db import models

from core.choices import Role
from core.visibility import scope_for


def _sees_all_harm_reduction(user) -> bool:
    scope = scope_for(user)
    return scope.sees_everything or (scope.identifiable and scope.has_role(Role.HARM_REDUCTION_WORKER))


class _PersonOrHarmReduction(models.QuerySet):
    person_lookup = "person"

    def visible_to(self, user):
        from referrals.querysets import in_scope

        if _sees_all_harm_reduction(user):
            return self.all()
        return self.filter(in_scope(self.person_lookup, user))


class PersonOrHarmReductionQuerySet(_PersonOrHarmReduction):
    pass


class AttenderQuerySet(_PersonOrHarmReduction):
    def anonymous(self):
        return self.filter(person__isnull=True)


class NspVisitQuerySet(_PersonOrHarmReduction):
    person_lookup = "attender__person"


class NspSafeguardingTaskQuerySet(_PersonOrHarmReduction):
    person_lookup = "visit__attender__person"
