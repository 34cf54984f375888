"""API calls skip the cookie session's signer; the pages' sessions behave as before."""

from __future__ import annotations

from flask import Flask

from tests.api.conftest import Api
from tests.api.helpers import PASSWORD, UN_NAME


def test_an_api_call_sets_no_cookie_and_no_vary(api: Api) -> None:
    response = api.post("bank", "/v1/screen", json={"name": UN_NAME})
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.headers.get("Vary", "")


def test_a_login_session_still_works_and_a_forged_cookie_is_ignored(app: Flask) -> None:
    client = app.test_client()
    login = client.get("/login")
    assert "Set-Cookie" in login.headers  # the CSRF token went into a new session
    token = login.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    done = client.post("/login", data={"username": "ana", "password": PASSWORD,
                                       "csrf_token": token})
    assert done.status_code == 302
    assert client.get("/hits").status_code == 200  # the signed session cookie is read back
    forged = app.test_client()
    forged.set_cookie("session", "not-a-signed-value")
    assert forged.get("/hits").status_code == 302  # a bad signature is a new, empty session
