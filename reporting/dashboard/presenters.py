"""What a commissioner sees, built from stored aggregates only: each KPI's figure, RAG status, variance, direction of
travel, trend and comparators, and the management information tables, with small numbers suppressed
(`suppression` holds the rules). Pure functions over plain values, so the page, the PDF and the API show the same.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from reporting.dashboard import charts, rag, suppression
from reporting.kpis.suppression import must_suppress
from reporting.periods import Period

WITHHELD = "withheld"
WITHHELD_NOTE = "withheld: fewer than 5 people"


@dataclass(frozen=True)
class KpiDefinition:
    code: str
    title: str
    kind: str  # rate, count or mean
    threshold: rag.Threshold
    higher_is_better: bool


@dataclass(frozen=True)
class Figure:
    numerator: int
    denominator: int
    value: Decimal | None
    met: bool | None


@dataclass(frozen=True)
class Comparators:
    national: Decimal | None
    similar_areas: Decimal | None
    source: str = ""


@dataclass
class KpiRow:
    code: str
    title: str
    kind: str
    computed: bool
    withheld: bool
    value: Decimal | None  # None when there is no figure, or it is withheld
    value_text: str
    numerator_text: str
    denominator_text: str
    threshold_text: str
    status: rag.Status
    variance_text: str
    travel: rag.Travel
    previous_text: str
    national_text: str
    similar_text: str
    comparator_source: str
    trend: list[tuple[str, str]] = field(default_factory=list)  # (quarter, figure) for the table alternative
    trend_svg: str = ""  # SafeString once drawn
    comparison_svg: str = ""

    @property
    def summary(self) -> str:
        """One plain sentence for the report's "what was missed" list."""
        if not self.computed or self.status is rag.NO_DATA:
            return f"{self.code} ({self.title}): no figure for this quarter."
        figure = "the figure is withheld because fewer than 5 people are involved" if self.withheld else self.value_text
        return (
            f"{self.code} ({self.title}): {self.status.label.lower()}, {figure}, against a threshold of "
            f"{self.threshold_text}" + ("" if self.withheld else f" ({self.variance_text.lower()})") + "."
        )


class Figures:
    """Stored figures by (code, quarter label, team id or None), with suppression across teams (rule 4)."""

    def __init__(self, figures: dict[tuple[str, str, int | None], Figure], team_ids: list[int]):
        self.figures, self.team_ids = figures, team_ids

    def get(self, code: str, label: str, team_id: int | None) -> Figure | None:
        return self.figures.get((code, label, team_id))

    def withheld(self, definition: KpiDefinition, label: str, team_id: int | None) -> bool:
        figure = self.get(definition.code, label, team_id)
        if figure is None:
            return False

        def small(f: Figure) -> bool:
            return must_suppress(kind=definition.kind, numerator=f.numerator, denominator=f.denominator)

        if team_id is None:
            return small(figure)
        teams = {t: self.get(definition.code, label, t) for t in self.team_ids}
        teams = {t: f for t, f in teams.items() if f is not None}
        flagged = {t for t, f in teams.items() if small(f)}
        return team_id in suppression.across_teams(flagged, {t: f.numerator for t, f in teams.items()})


def _count_text(count: int, withheld: bool) -> str:
    if suppression.is_small(count):
        return suppression.SHOWN_AS
    return WITHHELD if withheld else f"{count:,}"


def kpi_rows(
    *,
    definitions: list[KpiDefinition],
    figures: Figures,
    quarters: list[Period],
    team_id: int | None,
    comparators: dict[str, Comparators],
    charts_wanted: bool = True,
) -> list[KpiRow]:
    """One row per KPI for the last of `quarters` (oldest first), with its trend over all of them."""
    current, previous = quarters[-1], quarters[-2] if len(quarters) > 1 else None
    rows = []
    for definition in definitions:
        kind = definition.kind
        figure = figures.get(definition.code, current.label, team_id)
        withheld = figures.withheld(definition, current.label, team_id)
        value = None if figure is None or withheld else figure.value
        if figure is None:
            status = rag.NO_DATA
        else:
            status = rag.status(value=figure.value, threshold=definition.threshold, kind=kind, met=figure.met)
        before = figures.get(definition.code, previous.label, team_id) if previous else None
        before_withheld = previous is not None and figures.withheld(definition, previous.label, team_id)
        if withheld or before_withheld:
            travel = rag.Travel("unknown", "", "Not compared: a figure is withheld")
        else:
            travel = rag.travel(
                current=value,
                previous=before.value if before else None,
                higher_is_better=definition.higher_is_better,
            )
        comparator = comparators.get(definition.code, Comparators(None, None))
        points = []
        for quarter in quarters:
            point = figures.get(definition.code, quarter.label, team_id)
            if point is None:
                points.append(charts.Point(quarter.label, None, "not computed"))
            elif figures.withheld(definition, quarter.label, team_id):
                points.append(charts.Point(quarter.label, None, WITHHELD_NOTE))
            elif point.value is None:
                points.append(charts.Point(quarter.label, None, "nobody in the population"))
            else:
                points.append(charts.Point(quarter.label, point.value))
        row = KpiRow(
            code=definition.code,
            title=definition.title,
            kind=kind,
            computed=figure is not None,
            withheld=withheld,
            value=value,
            value_text=_value_text(figure, withheld, kind),
            numerator_text=_count_text(figure.numerator, withheld) if figure else rag.NO_FIGURE,
            denominator_text=suppression.show_count(figure.denominator) if figure else rag.NO_FIGURE,
            threshold_text=rag.show_threshold(definition.threshold, kind),
            status=status,
            variance_text=WITHHELD.capitalize() if withheld else rag.variance(value, definition.threshold, kind),
            travel=travel,
            previous_text=_previous_text(before, before_withheld, kind),
            national_text=rag.show_value(comparator.national, kind),
            similar_text=rag.show_value(comparator.similar_areas, kind),
            comparator_source=comparator.source,
            trend=[(charts.short_quarter(p.label), _point_text(p, kind)) for p in points],
        )
        if charts_wanted:
            row.trend_svg = charts.trend(
                chart_id=f"trend-{definition.code}",
                title=f"{definition.code}: {definition.title}, last {len(quarters)} quarters",
                points=points,
                threshold=definition.threshold.value,
                kind=kind,
            )
            row.comparison_svg = charts.comparison(
                chart_id=f"compare-{definition.code}",
                title=f"{definition.code}: this service beside the national figure and similar areas",
                bars=[
                    charts.Bar("This service", value, local=True, note=_bar_note(figure, withheld)),
                    charts.Bar("England", comparator.national),
                    charts.Bar("Similar areas", comparator.similar_areas),
                ],
                kind=kind,
            )
        rows.append(row)
    return rows


def _value_text(figure: Figure | None, withheld: bool, kind: str) -> str:
    if figure is None:
        return "Not computed"
    if figure.value is None:
        return "No one in the population"
    if withheld:
        return suppression.SHOWN_AS if kind == "count" and suppression.is_small(figure.numerator) else "Withheld"
    return rag.show_value(figure.value, kind)


def _bar_note(figure: Figure | None, withheld: bool) -> str:
    if withheld:
        return WITHHELD_NOTE
    return "not computed" if figure is None else "nobody in the population"


def _previous_text(figure: Figure | None, withheld: bool, kind: str) -> str:
    if figure is None or figure.value is None:
        return rag.NO_FIGURE
    return "withheld" if withheld else rag.show_value(figure.value, kind)


def _point_text(point: charts.Point, kind: str) -> str:
    return point.note.capitalize() if point.value is None else rag.show_value(point.value, kind)


def tally(rows: list[KpiRow]) -> list[tuple[rag.Status, int]]:
    """How many KPIs are in each status, in the order met, near, not met, no data."""
    order = [rag.MET, rag.NEAR, rag.NOT_MET, rag.NO_DATA]
    return [(status, sum(1 for row in rows if row.status == status)) for status in order]


# Management information -------------------------------------------------------------------------------------------


def _hidden_cells(tables: dict) -> set[tuple]:
    """Rules 1 to 3 within one scope's tables: the keys (item, table, row label) of the cells to suppress."""
    hidden = set()
    for section in tables.get("sections", []):
        for index, table in enumerate(section.get("tables", [])):
            key = (section["item"], index)
            if table["kind"] == "breakdown":
                cells = {row["label"]: row["count"] for row in table["rows"]}
                hidden |= {(*key, label) for label in suppression.secondary(cells, total=table["total"])}
                if suppression.is_small(table["total"]):
                    hidden.add((*key, "__total__"))
            elif table["kind"] == "counts":
                rows = table["rows"]
                for row in rows:
                    count = row["count"]
                    if count is None:
                        continue
                    parent = rows[row["of"]]["count"] if "of" in row else None
                    if suppression.is_small(count) or (parent is not None and suppression.is_small(parent - count)):
                        hidden.add((*key, row["label"]))
    return hidden


def _cell_counts(tables: dict) -> dict[tuple, int]:
    counts = {}
    for section in tables.get("sections", []):
        for index, table in enumerate(section.get("tables", [])):
            if table["kind"] in ("breakdown", "counts"):
                for row in table["rows"]:
                    counts[(section["item"], index, row["label"])] = row["count"] or 0
    return counts


def mi_sections(tables: dict, *, team_tables: dict | None = None, kpis: dict[str, KpiRow] | None = None) -> list:
    """The tables ready to show. `team_tables` (team id -> tables, this scope's team among them) is given when the
    scope is a team, for rule 4; `kpis` fills item 3 from the DQ row."""
    hidden = _hidden_cells(tables)
    if team_tables:
        this = next(t for t, other in team_tables.items() if other is tables)
        by_team = {t: (_hidden_cells(other), _cell_counts(other)) for t, other in team_tables.items()}
        for key in _cell_counts(tables):
            flagged = {t for t, (cells, _) in by_team.items() if key in cells}
            if this in suppression.across_teams(flagged, {t: counts.get(key, 0) for t, (_, counts) in by_team.items()}):
                hidden.add(key)
    sections = []
    for section in tables.get("sections", []):
        shown = []
        for index, table in enumerate(section.get("tables", [])):
            key = (section["item"], index)
            shown.append(_table(table, key, hidden, kpis or {}))
        sections.append(
            {"item": section["item"], "title": section["title"], "note": section.get("note", ""), "tables": shown}
        )
    return sections


def _table(table: dict, key: tuple, hidden: set, kpis: dict[str, KpiRow]) -> dict:
    kind = table["kind"]
    shown = {"kind": kind, "caption": table.get("caption", ""), "note": table.get("note", ""), "rows": []}
    if kind == "kpi":
        row = kpis.get(table["code"])
        shown["rows"] = [{"label": table["caption"], "text": row.value_text if row else "Not computed"}]
        shown["heading"] = "Figure"
        return shown
    if kind == "stats":
        population = table["population"]
        withheld = population < suppression.THRESHOLD
        shown["heading"] = "Figure"
        shown["population_text"] = f"{suppression.show_count(population)} {table['population_label']}"
        for row in table["rows"]:
            if withheld:
                text = "No one" if population == 0 else WITHHELD_NOTE.capitalize()
            elif row["value"] is None:
                text = rag.NO_FIGURE
            else:
                text = f"{row['value']:g}" + (f" {row['unit']}" if row.get("unit") else "")
            shown["rows"].append({"label": row["label"], "text": text})
        return shown
    shown["heading"] = "People" if kind == "counts" else "Count"
    for row in table["rows"]:
        count = row["count"]
        if count is None:
            text = "Not recorded"
        elif (*key, row["label"]) in hidden:
            text = suppression.SHOWN_AS if suppression.is_small(count) else WITHHELD
        else:
            text = f"{count:,}"
        shown["rows"].append({"label": row["label"], "text": text, "indent": "of" in row})
    if kind == "breakdown":
        shown["total_text"] = suppression.show_count(table["total"])
    return shown
