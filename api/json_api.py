"""The JSON API blueprint, declared as one route table.

Each ``Route`` names the method, the URL rule, the view, the permission it needs (None:
public) and what it takes; the blueprint is built from the table and ``GET /openapi.json`` is
generated from the same table, so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint

from api import json_batches as batches
from api import json_lists as lists
from api import json_review as review
from api import json_screening as screening
from api.auth import requires
from api.yente import MAX_QUERIES
from screening.review.users import Permission

P = Permission


@dataclass(frozen=True, slots=True)
class Param:
    """A query parameter."""

    name: str
    type: str  # OpenAPI type: string, number, integer, boolean
    description: str
    required: bool = False


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    rule: str
    view: Callable[..., Any]
    permission: Permission | None
    summary: str
    params: tuple[Param, ...] = ()
    body: tuple[str, ...] = ()  # accepted request media types
    body_help: str = ""
    status: int = 200

    @property
    def endpoint(self) -> str:
        return self.view.__name__


PAGING = (Param("page", "integer", "page number, from 1"),
          Param("per_page", "integer", "items per page"))
HIT_FILTERS = (
    Param("list_id", "string", "only hits on this list"),
    Param("min_score", "number", "lowest score (0..1)"),
    Param("max_score", "number", "highest score (0..1)"),
    Param("status", "string", "open, in_review, pending_approval, closed, escalated, suppressed"),
    Param("sort", "string", "score, -score (default), alert_id, created_at, list_id, status..."),
    *PAGING,
)
SCREEN_PARAMS = (
    Param("threshold", "number", "score at which a result is a match (default: algorithm's)"),
    Param("limit", "integer", "results per query"),
    Param("algorithm", "string", "tf-default (default) or ofac"),
)
JSON = ("application/json",)

ROUTES: tuple[Route, ...] = (
    Route("GET", "/healthz", screening.healthz, None, "The process is up."),
    Route("GET", "/readyz", screening.readyz, None,
          "Ready: the store answers and at least one list is loaded (else 503)."),
    Route("POST", "/match/<dataset>", screening.match, P.SCREEN,
          "yente-compatible query-by-example matching; dataset 'default' = every list you may "
          f"see, or a list id. Up to {MAX_QUERIES} queries per request (yente: 100).",
          (*SCREEN_PARAMS, Param("cutoff", "number", "results below are not returned "
                                 "(default and maximum: threshold)")),
          JSON, "{'queries': {key: {'schema': 'Person', 'properties': {'name': [...], "
          "'birthDate': [...], 'nationality': [...]}}}}"),
    Route("POST", "/v1/screen", screening.screen, P.SCREEN,
          "Screen one party (JSON) or one payment message (pacs.008/pain.001/goAML XML, MT103 "
          "text); stored for audit.", SCREEN_PARAMS,
          ("application/json", "application/xml", "text/xml", "text/plain"),
          "{'name', 'schema', 'birth_date', 'country', 'nationality', 'identifier', "
          "'reference'} or the raw message"),
    Route("POST", "/v1/batches", batches.create_batch, P.SUBMIT_BATCH,
          "Queue a batch (202): multipart field 'file' in any supported format (optional form "
          "field 'threshold'), or JSON {'records': [...], 'threshold'}.", (),
          ("multipart/form-data", "application/json"), status=202),
    Route("GET", "/v1/batches", batches.list_batches, P.REVIEW, "Batches, newest first.",
          PAGING),
    Route("GET", "/v1/batches/<batch_id>", batches.get_batch, P.REVIEW,
          "Status, progress and counts of a batch."),
    Route("GET", "/v1/batches/<batch_id>/hits", batches.batch_hits, P.REVIEW,
          "Hits of a batch with filters, sorting and paging.", HIT_FILTERS),
    Route("GET", "/v1/batches/<batch_id>/export", batches.export_batch, P.REVIEW,
          "Every visible hit of the batch as a file.",
          (Param("format", "string", "csv (default), parquet or json"), *HIT_FILTERS[:4])),
    Route("GET", "/v1/hits", review.list_hits, P.REVIEW, "Hits across batches.",
          (Param("batch_id", "string", "only this batch"), *HIT_FILTERS)),
    Route("GET", "/v1/hits/<int:alert_id>", review.get_hit, P.REVIEW,
          "A hit with the screened party and the list entity side by side, and its history."),
    Route("POST", "/v1/hits/<int:alert_id>/claim", review.claim_hit, P.REVIEW,
          "Take an open hit into review.", (), JSON, "{'version'?}"),
    Route("POST", "/v1/hits/<int:alert_id>/decision", review.decide_hit, P.DECIDE,
          "Decide: true_match, false_positive or escalate, with a reason code and comment.",
          (), JSON, "{'outcome', 'reason_code', 'comment', 'version'?}"),
    Route("POST", "/v1/hits/<int:alert_id>/approval", review.approve_hit, P.APPROVE,
          "Four-eyes approval or rejection by a supervisor other than the decider.", (),
          JSON, "{'approve': bool, 'comment', 'version'?}"),
    Route("POST", "/v1/hits/<int:alert_id>/reopen", review.reopen_hit, P.REOPEN,
          "Reopen a closed, escalated or suppressed hit.", (), JSON,
          "{'comment', 'version'?}"),
    Route("POST", "/v1/hits/<int:alert_id>/whitelist", review.propose_whitelist, P.DECIDE,
          "Propose a whitelist entry for the hit's (party, entity) pair after a false "
          "positive.", (), JSON, "{'reason', 'expires_on'?}", status=201),
    Route("GET", "/v1/approvals", review.approvals_queue, P.APPROVE,
          "The four-eyes queue: hits pending approval.", PAGING),
    Route("GET", "/v1/whitelist", review.list_whitelist, P.REVIEW, "Whitelist entries.",
          (Param("status", "string", "proposed, active, rejected, invalid, revoked"), *PAGING)),
    Route("GET", "/v1/whitelist/<int:entry_id>", review.get_whitelist_entry, P.REVIEW,
          "One whitelist entry."),
    Route("POST", "/v1/whitelist/<int:entry_id>/approval", review.review_whitelist_entry,
          P.MANAGE_WHITELIST, "Approve (activate) or reject a proposed entry.", (), JSON,
          "{'approve': bool, 'comment'}"),
    Route("POST", "/v1/whitelist/<int:entry_id>/revoke", review.revoke_whitelist_entry,
          P.MANAGE_WHITELIST, "Revoke an entry before its expiry.", (), JSON, "{'comment'}"),
    Route("GET", "/v1/lists", lists.get_lists, P.SCREEN,
          "Current list snapshots: versions, counts, publication dates."),
    Route("GET", "/v1/lists/<list_id>/versions", lists.get_versions, P.SCREEN,
          "Every stored version of a list."),
    Route("GET", "/v1/lists/<list_id>/delta", lists.get_delta, P.REVIEW,
          "Entities added, removed and changed between two versions.",
          (Param("old", "integer", "older version (default: the one before new)"),
           Param("new", "integer", "newer version (default: current)"))),
    Route("POST", "/v1/lists/refresh", lists.refresh, P.MANAGE_LISTS,
          "Download the configured lists; new snapshots invalidate whitelist entries and "
          "re-screen stored parties.", (), JSON, "{'list_ids'?: [...]}"),
    Route("GET", "/v1/audit", review.audit_log, P.READ_AUDIT, "The audit trail, newest first.",
          (Param("actor", "string", "only this actor"),
           Param("action", "string", "action prefix, e.g. alert."),
           Param("target", "string", "e.g. alert:12"), *PAGING)),
    Route("GET", "/v1/audit/verify", review.audit_verify, P.READ_AUDIT,
          "Recompute the audit hash chain."),
)


def openapi_json() -> dict[str, Any]:
    """This API described in OpenAPI 3.1 (generated from the route table)."""
    from api.openapi import spec

    return spec((*ROUTES, OPENAPI_ROUTE))


bp = Blueprint("json_api", __name__)
OPENAPI_ROUTE = Route("GET", "/openapi.json", openapi_json, None,
                      "This description of every endpoint.")


def _register() -> None:
    for route in (*ROUTES, OPENAPI_ROUTE):
        bp.add_url_rule(route.rule, route.endpoint, requires(route.permission)(route.view),
                        methods=[route.method])


_register()
