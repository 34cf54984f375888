"""One error hierarchy and one handler: JSON for the API, an HTML page for the analyst pages.

API errors extend the review domain's ``ReviewError`` (which carries ``http_status``), so every
refusal, whether raised by ``screening.review`` or by request validation here, goes through
``handle_error``. JSON errors always have the shape::

    {"error": {"status": 422, "code": "validation_error", "message": "...", "details": [...]}}
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from screening.inputs import InputFormatError
from screening.review.errors import ReviewError, ValidationError
from screening.screener import QueryError

log = logging.getLogger(__name__)


class ApiError(ReviewError):
    """A request the API refuses; ``str(error)`` says what to fix."""

    code: str | None = None

    def __init__(self, message: str, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.details = details or []


class BadRequest(ApiError):  # noqa: N818 (HTTP names)
    """The body or a parameter cannot be read at all (not JSON, not a number...)."""

    http_status = 400


class Unauthorized(ApiError):  # noqa: N818 (HTTP names)
    """No credentials, or credentials that are not valid."""

    http_status = 401


class PayloadTooLarge(ApiError):  # noqa: N818 (HTTP names)
    http_status = 413


class UnsupportedMediaType(ApiError):  # noqa: N818 (HTTP names)
    http_status = 415


class Invalid(ValidationError, ApiError):  # noqa: N818 (HTTP names)
    """Well-formed input with values that are not allowed; ``details`` lists each problem."""

    http_status = 422
    code = "validation_error"


class Unavailable(ApiError):  # noqa: N818 (HTTP names)
    """The service cannot answer yet (no list loaded...)."""

    http_status = 503


def error_code(error: ReviewError) -> str:
    """A stable snake_case code: the class's ``code`` or its name (NotFound -> not_found)."""
    explicit = getattr(error, "code", None)
    if isinstance(explicit, str):
        return explicit
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(error).__name__).lower()


def error_body(status: int, code: str, message: str,
               details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The one JSON error shape."""
    return {"error": {"status": status, "code": code, "message": message,
                      "details": details or []}}


_HTTP_MESSAGES = {
    404: "no such endpoint; GET /openapi.json lists every endpoint",
    405: "this endpoint does not accept the {method} method; see GET /openapi.json",
    413: "the request body is larger than the server accepts; send a smaller file or split it",
}


def _wants_html() -> bool:
    if request.blueprint == "pages":
        return True
    if request.blueprint is not None:
        return False
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html" and request.method == "GET"


def _respond(status: int, code: str, message: str,
             details: list[dict[str, Any]] | None = None) -> tuple[Any, int]:
    if _wants_html():
        page = render_template("error.html", status=status, message=message, details=details)
        return page, status
    response: Response = jsonify(error_body(status, code, message, details))
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="screening"'
    return response, status


def handle_review_error(error: ReviewError) -> tuple[Any, int]:
    details = getattr(error, "details", None)
    return _respond(error.http_status, error_code(error), str(error), details)


def handle_http_error(error: HTTPException) -> tuple[Any, int]:
    status = error.code or 500
    template = _HTTP_MESSAGES.get(status)
    message = template.format(method=request.method) if template else str(error.description)
    code = re.sub(r"[^a-z0-9]+", "_", (error.name or "error").lower()).strip("_")
    return _respond(status, code, message)


def handle_input_error(error: Exception) -> tuple[Any, int]:
    """Unreadable uploads and queries the screener refuses are the caller's to fix: 422."""
    return _respond(422, "invalid_input", str(error))


def handle_unexpected(error: Exception) -> tuple[Any, int]:
    """Loud 500: the traceback goes to the log under an id the caller can quote."""
    incident = uuid.uuid4().hex[:12]
    log.exception("unhandled error %s on %s %s", incident, request.method, request.path,
                  exc_info=error)
    return _respond(500, "internal_error",
                    f"internal error (incident {incident}); the request was logged, retry or "
                    "report the incident id")


def init_app(app: Flask) -> None:
    """Register the handlers (most specific first; Flask picks by class hierarchy)."""
    app.register_error_handler(ReviewError, handle_review_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(InputFormatError, handle_input_error)
    app.register_error_handler(QueryError, handle_input_error)
    app.register_error_handler(Exception, handle_unexpected)
