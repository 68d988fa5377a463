"""Building blocks for the return tests: April 2025 as the month, rows read back by column name."""

import csv
import io
from datetime import date

from core.factories import UserFactory
from core.models import DischargeReason
from recovery_plans.factories import PlanVersionFactory, RecoveryPlanFactory
from referrals.choices import ReferralStatus
from referrals.factories import EpisodeFactory, PersonFactory, ReferralFactory
from reporting.periods import month
from reporting.returns.export import ExportSpec, write_file

APRIL = month(2025, 4)
S, E = APRIL.start, APRIL.end


def export_bytes(spec: ExportSpec, **kwargs) -> bytes:
    stream = io.BytesIO()
    write_file(spec, stream, **kwargs)
    return stream.getvalue()


def rows_of(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def april_rows() -> list[dict[str, str]]:
    return rows_of(export_bytes(ExportSpec.monthly(APRIL)))


def transfer_rows(as_of: date = date(2025, 6, 30)) -> list[dict[str, str]]:
    return rows_of(export_bytes(ExportSpec.transfer_as_of(as_of)))


def consenting_person(**fields):
    return PersonFactory(consent_national_return=True, consent_asked_on=date(2024, 1, 1), **fields)


def referral(received_on: date, *, person=None, **fields):
    return ReferralFactory(person=person or consenting_person(), received_on=received_on, **fields)


def closed_at_triage(received_on: date, triaged_on: date, *, status=ReferralStatus.BRIEF_INTERVENTION, person=None):
    return referral(received_on, person=person, status=status, triaged_on=triaged_on)


def episode(received_on: date, opened_on: date, *, person=None, discharged_on: date | None = None, reason="80"):
    chosen = referral(received_on, person=person, status=ReferralStatus.ACCEPTED, triaged_on=opened_on)
    return EpisodeFactory(
        referral=chosen,
        opened_on=opened_on,
        discharged_on=discharged_on,
        discharge_reason=DischargeReason.objects.get(code=reason) if discharged_on else None,
    )


def signed_plan_version(episode_, signed_on: date, *, number=1, plan=None):
    plan = plan or RecoveryPlanFactory(episode=episode_)
    return PlanVersionFactory(plan=plan, number=number, status="signed", signed_by=UserFactory(), signed_on=signed_on)


def by_client(rows, client_id):
    return [row for row in rows if row["CLIENTID"] == client_id]
