"""The KPI engine against the clock: every KPI for a quarter (whole service, then each reporting team, as the
nightly job computes them), and W21 beside a hand-written single SQL statement over the same rows (the floor any
ORM-built query could reach), plus the same heavy scoped query with PostgreSQL's JIT on and off."""

import statistics
import time

from django.db import connection

from referrals.models import Person
from reporting.kpis.engine import compute
from reporting.kpis.populations import W21_DAYS
from reporting.tasks import reporting_teams

# W21 (domain.md 5): episodes whose first modality, as at E (earliest start, then earliest referral, then id),
# started in the period; numerator those whose start came at most 21 days after that modality's referral. An
# episode's first modality started in [S, E] exactly when none of its modalities started before S.
W21_SQL = """
SELECT count(*) FILTER (WHERE first.started_on - first.referred_on <= %(days)s), count(*)
FROM (
    SELECT DISTINCT ON (m.episode_id) m.started_on, m.referred_on
    FROM recovery_plans_modality m
    {team_join}
    WHERE m.started_on BETWEEN %(start)s AND %(end)s
      AND NOT EXISTS (
          SELECT 1 FROM recovery_plans_modality earlier
          WHERE earlier.episode_id = m.episode_id AND earlier.started_on < %(start)s
      )
    ORDER BY m.episode_id, m.started_on, m.referred_on, m.id
) AS first
"""
TEAM_JOIN = "JOIN referrals_episode e ON e.id = m.episode_id AND e.team_id = %(team)s"


def timed(action, repeats: int = 1):
    """(median seconds, last answer) over `repeats` runs."""
    times, answer = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        answer = action()
        times.append(time.perf_counter() - started)
    return statistics.median(times), answer


def w21_floor(period, team=None) -> tuple[int, int]:
    sql = W21_SQL.format(team_join=TEAM_JOIN if team is not None else "")
    with connection.cursor() as cursor:
        values = {"days": W21_DAYS, "start": period.start, "end": period.end, "team": getattr(team, "pk", None)}
        cursor.execute(sql, values)
        numerator, denominator = cursor.fetchone()
    return numerator, denominator


def w21_engine(period, team=None) -> tuple[int, int]:
    result = compute(period, team=team, codes={"W21"})["W21"]
    return result.numerator, result.denominator


def all_kpis(period, *, repeats: int, team_sample: int | None = None) -> dict:
    """The whole service, then each reporting team; with `team_sample`, only that many teams (evenly spread) are
    timed and the time for all of them is their mean times the number of teams."""
    service, results = timed(lambda: compute(period), repeats)
    teams = reporting_teams()
    timed_teams = teams[:: max(1, len(teams) // team_sample)][:team_sample] if team_sample else teams
    per_team = [timed(lambda team=team: compute(period, team=team))[0] for team in timed_teams]
    mean = statistics.mean(per_team) if per_team else 0
    return {
        "period": period.label,
        "kpis": len(results),
        "service_s": round(service, 3),
        "teams": len(teams),
        "teams_timed": len(timed_teams),
        "mean_team_s": round(mean, 3),
        "all_teams_s": round(mean * len(teams), 3),
        "slowest_team_s": round(max(per_team, default=0), 3),
        "target_service_s": 15,
    }


def w21_against_floor(period, *, repeats: int) -> dict:
    engine_s, engine = timed(lambda: w21_engine(period), repeats)
    floor_s, floor = timed(lambda: w21_floor(period), repeats)
    return {
        "period": period.label,
        "engine_ms": round(engine_s * 1000, 1),
        "floor_ms": round(floor_s * 1000, 1),
        "ratio": round(engine_s / floor_s, 2) if floor_s else None,
        "engine": list(engine),
        "floor": list(floor),
        "agree": engine == floor,
        "target_ratio": 1.5,
    }


def _set_jit(on: bool):
    with connection.cursor() as cursor:
        cursor.execute("SET jit = on" if on else "SET jit = off")


def jit_gain(user, *, repeats: int) -> dict:
    """The scoped count every list of people pays, for a user with a wide scope, with JIT on and then off (the
    application's setting). Both runs share a warm cache: the first of each is discarded."""
    query = Person.objects.visible_to(user)
    results = {}
    for on in (True, False):
        _set_jit(on)
        if on:
            with connection.cursor() as cursor:
                # True only while jit is on and the server has its LLVM provider.
                cursor.execute("SELECT pg_jit_available()")
                available = cursor.fetchone()[0]
        query.count()
        results["on" if on else "off"], _ = timed(query.count, repeats)
    return {
        "query": f"Person.objects.visible_to({user.username}: {', '.join(sorted(user.roles))}).count()",
        "jit_available": available,
        "on_ms": round(results["on"] * 1000, 1),
        "off_ms": round(results["off"] * 1000, 1),
        "gain_ms": round((results["on"] - results["off"]) * 1000, 1),
    }
