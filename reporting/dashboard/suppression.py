"""Small-number suppression for everything a commissioner sees (domain.md 1: aggregates only, counts under 5
suppressed). The rules, also in docs/dashboard.md:

1. Primary: a count of 1 to 4 people is shown as `<5`. Zero is shown: it describes nobody.
2. KPI figures: the engine's `reporting.kpis.suppression.must_suppress` (one rule for the API and the dashboard):
   when the numerator, the denominator or the people outside the numerator number 1 to 4, the numerator is `<5` or
   withheld, and the percentage, its variance and its trend point are withheld (with the denominator a percentage
   gives the count back).
3. Secondary, within a table with a total: when exactly one cell is suppressed, the smallest other non-zero cell is
   suppressed too, so the total minus the shown cells gives no count back. A total of 1 to 4 suppresses every cell.
4. Secondary, across teams: the teams' figures add up to the whole service's, so when exactly one team's figure is
   suppressed, the smallest other team's figure is suppressed too.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping

from django.db.models import Q

THRESHOLD = 5
SHOWN_AS = "<5"
NO_FIGURE = "\N{EN DASH}"


def is_small(count: int | None) -> bool:
    return count is not None and 0 < count < THRESHOLD


def show_count(count: int | None, *, suppressed: bool = False) -> str:
    """The text a commissioner sees for a count of people."""
    if count is None:
        return NO_FIGURE
    if suppressed or is_small(count):
        return SHOWN_AS
    return f"{count:,}"


def secondary(cells: Mapping, *, total: int | None = None) -> set:
    """Rules 1 and 3 for one table: the keys of the cells to suppress. With `total=None` the cells are assumed to
    add up to a figure shown elsewhere (the whole service, rule 4)."""
    if total is not None and is_small(total):
        return {key for key, count in cells.items() if count}
    hidden = {key for key, count in cells.items() if is_small(count)}
    if len(hidden) == 1:
        others = sorted((count, str(key), key) for key, count in cells.items() if count and key not in hidden)
        if others:
            hidden.add(others[0][2])
    return hidden


def across_teams(flagged: Iterable, counts: Mapping) -> set:
    """Rule 4: the teams whose figure is withheld, given those flagged by rules 1-2 and each team's figure (the
    count that would be worked back: a numerator, or a cell)."""
    hidden = set(flagged)
    if len(hidden) == 1:
        others = sorted((count or 0, str(key), key) for key, count in counts.items() if key not in hidden)
        others = [entry for entry in others if entry[0]] or others
        if others:
            hidden.add(others[0][2])
    return hidden


def snapshots_withheld_across_teams(snapshots) -> set[int]:
    """Rule 4 for stored KPI figures: the ids of team snapshots to withhold from a commissioner, for every KPI and
    period among `snapshots`, judged against all the teams' figures of that KPI and period (one query), not only
    the ones a page of the API happens to hold."""
    from reporting.kpis.suppression import must_suppress
    from reporting.models import KpiSnapshot

    groups = Q()
    for kpi_id, period_label in {(snapshot.kpi_id, snapshot.period_label) for snapshot in snapshots}:
        groups |= Q(kpi_id=kpi_id, period_label=period_label)
    if not groups:
        return set()
    by_group = defaultdict(dict)
    for row in KpiSnapshot.objects.filter(groups, team__isnull=False).select_related("kpi"):
        by_group[(row.kpi_id, row.period_label)][row.pk] = row
    withheld = set()
    for rows in by_group.values():
        flagged = {
            pk
            for pk, row in rows.items()
            if must_suppress(kind=row.kpi.kind, numerator=row.numerator, denominator=row.denominator)
        }
        withheld |= across_teams(flagged, {pk: row.numerator for pk, row in rows.items()})
    return withheld
