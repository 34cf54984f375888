"""OpenAPI 3.1 description generated from the JSON API's route table."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from api.json_api import Route

_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {
        "type": "object", "required": ["status", "code", "message", "details"],
        "properties": {
            "status": {"type": "integer"}, "code": {"type": "string"},
            "message": {"type": "string", "description": "what went wrong and how to fix it"},
            "details": {"type": "array", "items": {"type": "object"}},
        },
    }},
}
_ERRORS = {
    "400": "unreadable body or parameter", "401": "missing or invalid API key",
    "403": "role or clearance does not allow it", "404": "not found (or not visible to you)",
    "409": "conflict: changed by someone else, or not allowed in the current state",
    "413": "body too large", "415": "unsupported Content-Type",
    "422": "invalid values (details list each problem)",
}


def openapi_path(rule: str) -> str:
    """A Flask rule as an OpenAPI path: /v1/hits/<int:alert_id> -> /v1/hits/{alert_id}."""
    return _CONVERTER.sub(r"{\2}", rule)


def _path_params(rule: str) -> list[dict[str, Any]]:
    return [
        {"name": name, "in": "path", "required": True,
         "schema": {"type": "integer" if kind == "int" else "string"}}
        for kind, name in _CONVERTER.findall(rule)
    ]


def _operation(route: Route) -> dict[str, Any]:
    params = _path_params(route.rule) + [
        {"name": p.name, "in": "query", "required": p.required, "description": p.description,
         "schema": {"type": p.type}}
        for p in route.params
    ]
    error_schema = {"$ref": "#/components/schemas/Error"}
    error_ref = {"content": {"application/json": {"schema": error_schema}}}
    responses: dict[str, Any] = {str(route.status): {"description": "success"}}
    for status, text in _ERRORS.items():
        if route.permission is None and status in ("401", "403"):
            continue
        responses[status] = {"description": text, **error_ref}
    operation: dict[str, Any] = {
        "operationId": route.endpoint, "summary": route.summary, "parameters": params,
        "responses": responses,
        "security": [] if route.permission is None else [{"bearer": []}],
    }
    if route.permission is not None:
        operation["x-permission"] = str(route.permission)
    if route.body:
        operation["requestBody"] = {
            "required": True, "description": route.body_help,
            "content": {media: {} for media in route.body},
        }
    return operation


def spec(routes: Iterable[Route]) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        paths.setdefault(openapi_path(route.rule), {})[route.method.lower()] = _operation(route)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Terrorist-financing screening API", "version": "1",
            "description": "Screening against sanctions lists and watchlists; review with "
                           "four-eyes decisions, whitelists and a hash-chained audit trail. "
                           "Every error has the shape {'error': {status, code, message, "
                           "details}}.",
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "API key (screening keys create)"}},
            "schemas": {"Error": _ERROR},
        },
        "paths": paths,
    }
