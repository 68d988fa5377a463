"""Reads of reports and dashboards go to a PostgreSQL read replica when one is configured
(`DATABASE_REPLICA_URL`; docs/scaling.md).

Only views marked `@report_reads` (or DRF views with `ReportReadsMixin`) read from the replica, only on GET and
only while they run: the KPI dashboard and the KPI, snapshot, comparator and management information APIs. Their
figures come from stored snapshots and history, where a replica a second or two behind shows the same thing (the
quarterly reports list is not one: it shows a report's progress moments after it is asked for).

Everything else reads the primary, and so do these models even inside a report view: the signed-in account, its
session and devices (a role taken away or a session ended acts at once), and the audit log (the chain is sealed
against the primary's latest row). Writes always go to the primary.
"""

from contextvars import ContextVar
from functools import wraps

from django.conf import settings

REPLICA_ALIAS = "replica"
_reading_reports: ContextVar[bool] = ContextVar("reading_reports", default=False)
PRIMARY_ONLY_APPS = frozenset({"sessions", "auth", "contenttypes", "otp_static", "otp_totp", "axes", "admin"})
PRIMARY_ONLY_MODELS = frozenset({"core.user", "core.auditevent"})


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def report_reads(view):
    """Marks a function view as a report: its reads on GET may go to the replica (a POST reads the primary, so
    what it checks before writing is current)."""

    @wraps(view)
    def reading_reports(request, *args, **kwargs):
        token = _reading_reports.set(request.method in SAFE_METHODS)
        try:
            return view(request, *args, **kwargs)
        finally:
            _reading_reports.reset(token)

    return reading_reports


class ReportReadsMixin:
    """The same for a DRF view or viewset (permissions, the query and serializing all run inside dispatch)."""

    def dispatch(self, request, *args, **kwargs):
        token = _reading_reports.set(request.method in SAFE_METHODS)
        try:
            return super().dispatch(request, *args, **kwargs)
        finally:
            _reading_reports.reset(token)


class ReplicaRouter:
    """Routes reads only; writes, relations and migrations keep Django's defaults (the replica is a copy made by
    PostgreSQL's streaming replication, never migrated or written by Django)."""

    def db_for_read(self, model, **hints):
        replica = settings.READ_REPLICA
        if not replica or not _reading_reports.get():
            return None
        if model._meta.app_label in PRIMARY_ONLY_APPS or model._meta.label_lower in PRIMARY_ONLY_MODELS:
            return None
        return replica

    def allow_relation(self, first, second, **hints):
        # The replica holds the primary's rows: an object read from one may refer to one read from the other.
        return True
