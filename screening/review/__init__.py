"""The review domain: users and keys, alert decisions with four-eyes, whitelists, audit, rescreen.

Pure Python over the DuckDB store (no web framework). Every service function takes the DuckDB
connection and the acting principal, checks the role and the list clearance, makes its change
and its audit entry in one transaction, and raises a ``ReviewError`` subclass (with an
``http_status``) when the action is not allowed. Call ``ensure_schema(con)`` once at start-up.
"""

from __future__ import annotations

from screening.review.alerts import (
    AlertFilter,
    AlertView,
    count_alerts,
    export_alerts,
    get_alert,
    history,
    list_alerts,
    status_counts,
)
from screening.review.audit import VerifyResult, purge_expired, read_audit, record, verify
from screening.review.decisions import approve, claim, decide, pending_approvals, reopen
from screening.review.errors import (
    ConflictError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ReviewError,
    ValidationError,
)
from screening.review.rescreen import RescreenResult, record_parties, rescreen_delta
from screening.review.schema import ensure_schema
from screening.review.snapshots import SnapshotFollowUp, on_new_snapshot
from screening.review.users import (
    Permission,
    Principal,
    Role,
    User,
    authenticate_key,
    authenticate_password,
    create_api_key,
    create_user,
    visible_lists,
)
from screening.review.vocabulary import REASON_CODES, Outcome, Status
from screening.review.whitelist import (
    apply_whitelist,
    approve_entry,
    invalidate_changed,
    propose,
    suppressed_alerts,
)

__all__ = [
    "REASON_CODES", "AlertFilter", "AlertView", "ConflictError", "InvalidTransition",
    "NotFound", "Outcome", "Permission", "PermissionDenied", "Principal", "RescreenResult",
    "ReviewError", "Role", "SnapshotFollowUp", "Status", "User", "ValidationError",
    "VerifyResult", "apply_whitelist", "approve", "approve_entry", "authenticate_key",
    "authenticate_password", "claim", "count_alerts", "create_api_key", "create_user", "decide",
    "ensure_schema", "export_alerts", "get_alert", "history", "invalidate_changed",
    "list_alerts", "on_new_snapshot", "pending_approvals", "propose", "purge_expired",
    "read_audit", "record", "record_parties", "reopen", "rescreen_delta", "status_counts",
    "suppressed_alerts", "verify", "visible_lists",
]
