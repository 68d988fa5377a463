"""Writes of the return's export side: every export is audited (who, when, which file, checksum, row counts)."""

from core import audit
from core.choices import AuditAction
from reporting.returns.export import ExportResult, ExportSpec, write_file


def return_export(*, spec: ExportSpec, stream, by, queryset=None, progress=None) -> ExportResult:
    """Write the file described by `spec` to `stream` and audit it; `by` is None for the command line."""
    result = write_file(spec, stream, queryset=queryset, progress=progress)
    audit.record(AuditAction.EXPORT, actor=by, object_type="reporting.Return", details=audit_details(spec, result))
    return result


def audit_details(spec: ExportSpec, result: ExportResult) -> dict:
    return {
        "kind": "transfer" if spec.transfer else "monthly",
        "period": None if spec.transfer else f"{spec.as_of:%Y-%m}",
        "as_of": spec.as_of.isoformat(),
        "file_name": result.file_name,
        "checksum": result.checksum,
        "episode_rows": result.episode_rows,
        "top_rows": result.top_rows,
    }
