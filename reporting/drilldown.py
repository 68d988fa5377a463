"""Manager drill-down: the population rows that failed a KPI for a team and period, each with why, in words.

Built on `reporting.kpis.engine.population_rows(...)` filtered to its failing rows (`fails`: not passing, or for
HBR a refusal), so a list and its figure share one definition; then narrowed to what the reader may see
(`visible_to`), so a row out of their scope is never shown. One count and one page query, whatever the size.
"""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from core import dates
from core.choices import Role
from core.models import Team
from recovery_plans.models import Modality
from referrals.models import Episode, Referral
from reporting.kpis.engine import population_rows
from reporting.periods import Period
from reporting.tasks import REPORTING_TEAM_KINDS

DRILLDOWN_ROLES = (Role.TEAM_MANAGER, Role.DATA_ADMIN)
REFERRAL_KPIS = frozenset({"FC3"})
MODALITY_KPIS = frozenset({"RX10", "DRR5", "SIR0"})
DQ_LABELS = {
    "DOB": "date of birth",
    "SEX": "sex",
    "ETHNIC": "ethnicity",
    "PC_OR_LA": "postcode or local authority",
    "GPPTCE": "GP practice",
    "RFLS": "referral source",
    "DRUG1": "main substance",
    "ROUTE": "route",
    "INJSTAT": "injecting status",
    "ACCMNEED": "accommodation need",
    "EMPSTAT": "employment status",
    "PRNTSTAT": "parental status",
    "HEPBSTAT": "hepatitis B answer",
    "HEPCSTAT": "hepatitis C answer",
    "CONSENT": "consent asked",
}


COMPARISON_WORDS = {">=": "at least", "<=": "at most", "=": "exactly"}


def figure_text(result) -> str:
    """A rate as a percentage, a count as a number; a rate with nobody counted says so."""
    if result.kind == "count":
        return str(result.numerator)
    if result.value is None:
        return "Nobody counted"
    return f"{result.value * 100:.1f}%"


def target_text(result) -> str:
    comparison, _, number = result.threshold.partition(" ")
    words = COMPARISON_WORDS.get(comparison, comparison)
    if result.kind == "count":
        return f"{words} {number}"
    return f"{words} {float(number) * 100:g}%"


def status(result) -> tuple[str, str]:
    """The status in words and the tag class that colours it (never colour alone)."""
    if result.met is None:
        return "No figure", "nhsuk-tag--grey"
    return ("Met", "nhsuk-tag--green") if result.met else ("Not met", "nhsuk-tag--red")


def require_drilldown(user) -> None:
    if not user.has_role(*DRILLDOWN_ROLES):
        raise PermissionDenied("Only team managers and data admins can open a KPI's records.")


def teams_for(user):
    """The teams whose KPIs the user may open: a manager's own ARM and ESAP teams, every one for a data admin.
    Per-team figures are by the ARM or ESAP team (domain.md 6b), so a delivery team has none of its own."""
    teams = Team.objects.all() if user.has_role(Role.DATA_ADMIN) else user.teams.all()
    return teams.filter(active=True, kind__in=REPORTING_TEAM_KINDS).order_by("name")


def team_for(user, team_pk) -> Team | None:
    """The chosen team; None is the whole service, which only a data admin may open. A team the user does not
    manage is a 404, as any record out of scope is."""
    if team_pk in (None, ""):
        if user.has_role(Role.DATA_ADMIN):
            return None
        first = teams_for(user).first()
        if first is None:
            raise Http404("You manage no team.")
        return first
    try:
        return teams_for(user).get(pk=int(team_pk))
    except (Team.DoesNotExist, ValueError):
        raise Http404("No such team of yours.") from None


def row_model(code: str):
    if code in REFERRAL_KPIS:
        return Referral
    if code in MODALITY_KPIS:
        return Modality
    return Episode


def failing_rows(user, code: str, period: Period, *, team=None):
    """The failing rows of the KPI the user may see, with what the reasons and links need, oldest first."""
    model = row_model(code)
    visible = model.objects.visible_to(user).values("pk")
    rows = population_rows(code, period, team=team).filter(fails=True).filter(pk__in=visible)
    if model is Modality:
        rows = rows.select_related("episode__person", "intervention")
    elif code in ("PDA", "PDD"):
        rows = rows.select_related("person", "discharge_reason")
    else:
        rows = rows.select_related("person")
    return rows.order_by("pk")


def person_of(code: str, row):
    return row.episode.person if row_model(code) is Modality else row.person


def record_url(code: str, row) -> str:
    """Where the reader acts on the row: the person (a referral's first contact), the episode's modalities, or
    the episode."""
    if code in REFERRAL_KPIS:
        return reverse("referrals:person-detail", args=[row.person_id])
    if code in MODALITY_KPIS:
        return reverse("recovery_plans:modality-list", args=[row.episode_id])
    return reverse("referrals:episode-detail", args=[row.pk])


def long_date(day: date | None) -> str:
    return dates.long_date(day) if day else "none"


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def _wait(row, period):
    return (
        f"waited {_days(row.kpi_waited_days)}, referred {long_date(row.kpi_modality_referred_on)}, "
        f"started {long_date(row.kpi_started_on)}"
    )


def _rtt(row, period):
    return (
        f"{_days(row.kpi_days_from_referral)} from referral to treatment, referral received "
        f"{long_date(row.kpi_referred_on)}, started {long_date(row.kpi_started_on)}"
    )


def _late(done_label: str, done_on, due_on, period: Period, missing: str) -> str:
    if done_on is None:
        return f"{missing} by {long_date(period.end)}, due by {long_date(due_on)}"
    return f"{done_label} {long_date(done_on)}, due by {long_date(due_on)}"


def _fc3(row, period):
    return (
        _late(
            "first contact", row.kpi_first_contact_on, row.kpi_due_on, period, "no first contact by phone or in person"
        )
        + f" (referred {long_date(row.kpi_referred_on)})"
    )


def _rx10(row, period):
    return _late("prescribing started", row.kpi_started_on, row.kpi_due_on, period, "not started") + (
        f" (10 working days from the referral of {long_date(row.kpi_referred_on)})"
    )


def _drr5(row, period):
    return _late("prescribing started", row.kpi_started_on, row.kpi_due_on, period, "not started") + (
        f" (5 working days from the DRR order of {long_date(row.kpi_order_on)})"
    )


def _cj5(row, period):
    return (
        f"started {long_date(row.kpi_started_on)}, due by {long_date(row.kpi_due_on)} (5 working days from the "
        f"referral of {long_date(row.kpi_referred_on)})"
    )


def _rap3(row, period):
    return _late("plan signed off", row.kpi_signed_on, row.kpi_due_on, period, "no plan signed off") + (
        f" (treatment started {long_date(row.kpi_started_on)})"
    )


def _rap12(row, period):
    return _late("plan first reviewed", row.kpi_reviewed_on, row.kpi_due_on, period, "no plan review") + (
        f" (assessment completed {long_date(row.kpi_assessed_on)})"
    )


def _sir0(row, period):
    last = (
        f"last reviewed {long_date(row.kpi_reviewed_on)}"
        if row.kpi_reviewed_on
        else f"not reviewed since it started {long_date(row.kpi_started_on)}"
    )
    return f"{row.intervention}: {last}, a review was due by {long_date(row.kpi_due_on)}"


def _discharge(row, period):
    return f"discharged {long_date(row.kpi_discharged_on)}: {row.discharge_reason}"


def _representation(row, period):
    gap = (row.kpi_referred_on - row.kpi_earlier_discharged_on).days
    return (
        f"referred {long_date(row.kpi_referred_on)}, {_days(gap)} after a successful discharge on "
        f"{long_date(row.kpi_earlier_discharged_on)}"
    )


def _not_by_end(what: str):
    def reason(row, period):
        return f"opened {long_date(row.opened_on)}, {what} by {long_date(period.end)}"

    return reason


def _hbr(row, period):
    return f"hepatitis B vaccination refused {long_date(row.kpi_answered_on)}"


def _hbc(row, period):
    return f"accepted hepatitis B vaccination {long_date(row.kpi_accepted_on)}, course not completed by " + long_date(
        period.end
    )


def _hb1(row, period):
    return f"accepted hepatitis B vaccination {long_date(row.kpi_accepted_on)}, no dose given by " + long_date(
        period.end
    )


def _dq(row, period):
    gaps = [label for item, label in DQ_LABELS.items() if not getattr(row, f"dq_{item}")]
    return f"{len(gaps)} of {len(DQ_LABELS)} required items missing: {', '.join(gaps)}"


REASONS = {
    "W21": _wait,
    "W42": _wait,
    "RTT3": _rtt,
    "RTT4": _rtt,
    "CJ5": _cj5,
    "FC3": _fc3,
    "RX10": _rx10,
    "DRR5": _drr5,
    "RAP3": _rap3,
    "RAP12": _rap12,
    "SIR0": _sir0,
    "KW": _not_by_end("no keyworker allocated"),
    "JW": _not_by_end("no partner agency involvement recorded"),
    "PDA": _discharge,
    "PDD": _discharge,
    "REP-O": _representation,
    "REP-N": _representation,
    "HBO": _not_by_end("hepatitis B vaccination not offered"),
    "HBR": _hbr,
    "HBC": _hbc,
    "HB1": _hb1,
    "HCV": _not_by_end("has injected; no hepatitis C test offered"),
    "DQ": _dq,
}


def reason(code: str, row, period: Period) -> str:
    """Why the row failed, in words: "W21: waited 29 days, referred 3 March 2025, started 1 April 2025"."""
    return f"{code}: {REASONS[code](row, period)}"
