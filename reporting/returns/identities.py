"""The identifiers a file carries, and the records they name here (domain.md 6b: kept verbatim, unique in their kind).

CLIENTID and EPISODID are text columns already (`Person.client_id`, `Referral.episode_id`). MODID and TOPID are
the record's id unless it came from a transfer file, whose own identifier is kept in `external_id`: the export
writes `MODID` and `TOPID` with the expressions below, so an imported record goes out again with the old
provider's identifier.
"""

from django.db import connection
from django.db.models import BooleanField, CharField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce

from assessment.models import Top
from recovery_plans.models import Modality
from referrals.models import Referral


def return_id(prefix: str = ""):
    """MODID or TOPID of a Modality or Top (`prefix` to reach one through a relation, e.g. "modality__")."""
    return Coalesce(f"{prefix}external_id", Cast(f"{prefix}id", CharField()))


def any_of(model, column: str, values) -> RawSQL:
    """`column IN values` as one array parameter (`= ANY(%s)`): for a whole file's identifiers, Django's `__in`
    resolves each of a hundred thousand values one by one, which took seconds."""
    quote = connection.ops.quote_name
    # Table and column are the caller's model and field names, quoted; the values are one bound parameter.
    return RawSQL(  # nosec B611
        f"{quote(model._meta.db_table)}.{quote(column)} = ANY(%s)", (list(values),), output_field=BooleanField()
    )


def held_episodes(episode_ids) -> dict[str, str]:
    """EPISODID -> the CLIENTID of the person whose referral holds it here."""
    return dict(
        Referral.objects.filter(any_of(Referral, "episode_id", episode_ids)).values_list(
            "episode_id", "person__client_id"
        )
    )


def held_records(model, identifiers) -> dict[str, str]:
    """MODID or TOPID -> the EPISODID of the episode of the record that holds it here: an imported record by its
    kept identifier, one recorded here by its id."""
    identifiers = list(identifiers)
    held = dict(
        model.objects.filter(any_of(model, "external_id", identifiers)).values_list(
            "external_id", "episode__episode_id"
        )
    )
    numbers = [int(value) for value in identifiers if value.isascii() and value.isdigit() and len(value) < 18]
    for pk, episode_id in model.objects.filter(any_of(model, "id", numbers), external_id__isnull=True).values_list(
        "pk", "episode__episode_id"
    ):
        held[str(pk)] = episode_id
    return held


def clashes(checker):
    """Problems where a file's identifier already names another record here."""
    from reporting.returns.validate import Problem

    held = held_episodes(checker.episodes)
    for episode_id, episode in checker.episodes.items():
        owner = held.get(episode_id)
        if owner is not None and episode.values and owner != episode.client_id:
            yield Problem(
                episode.line,
                "EPISODID",
                f"Episode {episode_id} is already held here for client {owner}, not {episode.client_id}: "
                "an episode ID is unique.",
                episode.client_id,
                episode_id,
            )
    for model, seen, name in ((Modality, checker.modality_ids, "MODID"), (Top, checker.top_ids, "TOPID")):
        held = held_records(model, seen)
        for identifier, (line, episode_id) in seen.items():
            owner = held.get(identifier)
            if owner is not None and owner != episode_id:
                what = "modality" if model is Modality else "TOP"
                yield Problem(
                    line,
                    name,
                    f"'{identifier}' is already the {name} of a {what} of episode {owner} here, not of {episode_id}: "
                    f"a {name} is unique.",
                    episode_id=episode_id,
                )
