"""Reporting's part of `seed_scale` (core.scale): once the load is in, the current quarter's KPI snapshots."""

from core.scale import Progress
from reporting.periods import quarter_containing
from reporting.tasks import store_period


def after_seed(today) -> None:
    """The current quarter's KPI snapshots, whole service and each reporting team, as the nightly job stores them
    in production: the pages that read stored figures (team KPIs, the dashboard) are then measured as they are
    served, not through their live fallback."""
    quarter = quarter_containing(today)
    progress = Progress("kpis", 1)

    def scope_done(done: int, total: int) -> None:
        progress.total = total
        progress.advance(1, quarter.label)

    store_period(quarter, job="nightly", on_scope_done=scope_done)
    progress.finish()
