"""Errors of the review domain; each carries the HTTP status the API answers with."""

from __future__ import annotations


class ReviewError(Exception):
    """Base of every review error; ``str(error)`` says what to fix."""

    http_status = 400


class PermissionDenied(ReviewError):  # noqa: N818 (names fixed by the API contract)
    """The caller's role or clearance does not allow this action."""

    http_status = 403


class NotFound(ReviewError):  # noqa: N818 (names fixed by the API contract)
    """No such alert, entry or user (or the caller may not see it)."""

    http_status = 404


class ConflictError(ReviewError):
    """Someone else changed the record first; reload it and try again."""

    http_status = 409


class InvalidTransition(ReviewError):  # noqa: N818 (names fixed by the API contract)
    """The alert's current state does not allow this action."""

    http_status = 409


class ValidationError(ReviewError):
    """A value given to the action is missing or not allowed."""

    http_status = 422
