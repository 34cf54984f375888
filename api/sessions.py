"""Flask's signed-cookie sessions, without their per-request cost on API calls.

Flask opens a session for every request: it builds an itsdangerous signer (key derivation
included) even when no cookie came, and works out every cookie setting when saving it. JSON API
calls never send the session cookie, so for them the session is simply new and empty, and an
untouched empty session needs nothing saved: same behaviour, without the signer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin

if TYPE_CHECKING:
    from flask import Flask, Request, Response


class CookieSessions(SecureCookieSessionInterface):
    """``SecureCookieSessionInterface`` that skips the signer when there is no cookie."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        # The raw header first: parsing the cookies of every API call is most of this cost.
        if app.secret_key and (not request.environ.get("HTTP_COOKIE")
                               or not request.cookies.get(self.get_cookie_name(app))):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if not session and not session.modified and not session.accessed:
            return  # no cookie to set or delete, no Vary: Cookie
        super().save_session(app, session, response)
