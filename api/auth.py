"""Who is calling: API keys for the JSON API, password sessions with CSRF for the pages.

The JSON API accepts only ``Authorization: Bearer KEY`` (no cookies), so a browser session can
never be used to forge API calls. The pages use Flask's signed session cookie holding the user
name and a per-session CSRF token that every state-changing form must echo. Roles and
permissions come from ``screening.review``: ``requires(permission)`` and ``page(permission)``
are the only checks here.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlparse

from flask import current_app, g, redirect, request, session, url_for

from api.access import Access, Connect
from api.db import get_con
from api.errors import BadRequest, Unauthorized
from screening.review.errors import PermissionDenied
from screening.review.users import (
    Permission,
    Principal,
    get_user,
    require,
)

F = TypeVar("F", bound=Callable[..., Any])
CSRF_FIELD = "csrf_token"


def principal() -> Principal:
    """The authenticated caller of this request (after ``requires``/``page`` ran)."""
    found: Principal = g.principal
    return found


def _bearer() -> Principal | None:
    access: Access = current_app.extensions["screening.access"]
    return bearer_principal(access, get_con, request.headers.get("Authorization", ""))


def bearer_principal(access: Access, connect: Connect, header: str) -> Principal | None:
    """The caller named by an ``Authorization`` header; None without one, Unauthorized when it
    is not ``Bearer <valid key>`` (``connect`` opens a cursor when the key is not cached)."""
    if not header:
        return None
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise Unauthorized("the Authorization header must be 'Bearer <API key>'")
    found = access.principal(connect, key.strip())
    if found is None:
        raise Unauthorized("the API key is not valid or was revoked; ask an admin for a key "
                           "(screening keys create NAME --role ROLE)")
    return found


def requires(permission: Permission | None) -> Callable[[F], F]:
    """JSON endpoints: a valid API key whose role grants ``permission`` (None: public)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if permission is not None:
                caller = _bearer()
                if caller is None:
                    raise Unauthorized("authentication required: send 'Authorization: Bearer "
                                       "<API key>'")
                require(caller, permission)
                g.principal = caller
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorate


# -- pages: sessions and CSRF -------------------------------------------------------------------


def csrf_token() -> str:
    """This session's CSRF token (created on first use); forms put it in a hidden field."""
    token = session.get(CSRF_FIELD)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[CSRF_FIELD] = token
    return token


def check_csrf() -> None:
    """Refuse a state-changing form whose token does not match the session's."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    expected = session.get(CSRF_FIELD)
    sent = request.form.get(CSRF_FIELD, "")
    if not isinstance(expected, str) or not hmac.compare_digest(sent, expected):
        raise BadRequest("the form expired or did not come from this site (CSRF check); "
                         "reload the page and submit it again")


def login_session(name: str) -> None:
    """Start a fresh session for a user (a new CSRF token, nothing kept from before)."""
    session.clear()
    session["user"] = name
    session[CSRF_FIELD] = secrets.token_urlsafe(32)


def session_user() -> Principal | None:
    """The logged-in user, reloaded so a disabled account or a new role applies at once."""
    name = session.get("user")
    if not isinstance(name, str):
        return None
    user = get_user(get_con(), name)
    if user is None:
        session.clear()
    return user


def safe_next(target: str | None) -> str | None:
    """A local path to go back to after login (never another site)."""
    if not target:
        return None
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def page(permission: Permission) -> Callable[[F], F]:
    """Pages: a logged-in user whose role grants ``permission``; else the login page / 403."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            user = session_user()
            if user is None:
                return redirect(url_for("pages.login", next=request.full_path.rstrip("?")))
            if not user.can(permission):
                raise PermissionDenied(f"{user.name} has role {user.role}; this page needs "
                                       f"the '{permission}' permission")
            g.principal = user
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorate
