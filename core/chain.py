"""Checking the audit log's hash chain (docs/architecture.md, "The audit log")."""

from dataclasses import dataclass, field

from django.db import connection, transaction

from core import audit


@dataclass
class ChainReport:
    rows: int = 0
    head_hash: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def verify_chain(*, seal_first: bool = True) -> ChainReport:
    """Walk the chain in order: every position present once, each row's `previous_hash` the hash of the row
    before, each row's own hash recomputed from its content. Rows committed but not yet chained are chained
    first (their content could not change meanwhile: the append-only trigger allows only the chaining)."""
    if seal_first:
        audit.seal(wait=True)
    report = ChainReport()
    expected_position, previous = 1, ""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT e.id, e.chain_position, e.previous_hash, e.row_hash, core_auditevent_hash(e.previous_hash, e)"
            " FROM core_auditevent e WHERE e.chain_position IS NOT NULL ORDER BY e.chain_position"
        )
        while batch := cursor.fetchmany(5000):
            for pk, position, previous_hash, row_hash, recomputed in batch:
                if position != expected_position:
                    report.problems.append(
                        f"gap: positions {expected_position} to {position - 1} are missing (before row id {pk})"
                    )
                elif previous_hash != previous:
                    report.problems.append(f"row id {pk} (position {position}) does not follow the row before it")
                if recomputed != row_hash:
                    report.problems.append(f"row id {pk} (position {position}) was changed after it was chained")
                expected_position, previous = position + 1, row_hash
                report.rows += 1
    report.head_hash = previous
    return report
