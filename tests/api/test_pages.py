"""The analyst pages through the test client: login, CSRF, roles, the decision forms."""

from __future__ import annotations

import io
import re

from flask.testing import FlaskClient

from tests.api.conftest import Api
from tests.api.helpers import CONFIDENTIAL_NAME, PASSWORD, UN_NAME

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _token(client: FlaskClient, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    found = CSRF.search(page)
    assert found, f"no CSRF field on {url}"
    return found.group(1)


def login(api: Api, name: str) -> FlaskClient:
    client = api.app.test_client()
    token = _token(client, "/login")
    response = client.post("/login", data={"username": name, "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def test_login_required_and_wrong_password(api: Api) -> None:
    client = api.app.test_client()
    redirect = client.get("/hits?status=open")
    assert redirect.status_code == 302
    assert redirect.headers["Location"].startswith("/login?next=/hits")
    token = _token(client, "/login")
    wrong = client.post("/login", data={"username": "ana", "password": "nope",
                                        "csrf_token": token})
    assert wrong.status_code == 200 and "wrong password" in wrong.get_data(as_text=True)
    nxt = client.post("/login?next=/hits", data={"username": "ana", "password": PASSWORD,
                                                 "csrf_token": token})
    assert nxt.headers["Location"] == "/hits"
    evil = client.post("/login?next=//evil.example", data={
        "username": "ana", "password": PASSWORD, "csrf_token": _token(client, "/login")})
    assert evil.status_code == 302 and evil.headers["Location"] == "/"  # never off-site


def test_csrf_is_required_on_every_form(api: Api) -> None:
    client = api.app.test_client()
    client.get("/login")
    refused = client.post("/login", data={"username": "ana", "password": PASSWORD})
    assert refused.status_code == 400 and "CSRF" in refused.get_data(as_text=True)
    assert "text/html" in refused.content_type
    ana = login(api, "ana")
    forged = ana.post("/batches", data={"file": (io.BytesIO(b"originator_name\nX\n"), "a.csv")},
                      content_type="multipart/form-data")
    assert forged.status_code == 400
    assert ana.post("/logout", data={"csrf_token": "guess"}).status_code == 400


def test_client_role_cannot_use_the_pages(api: Api) -> None:
    bank = login(api, "bank")
    response = bank.get("/batches")
    assert response.status_code == 403 and "role client" in response.get_data(as_text=True)
    assert login(api, "ana").get("/audit").status_code == 403


def test_upload_review_and_approve_through_the_forms(api: Api) -> None:
    ana = login(api, "ana")
    token = _token(ana, "/batches")
    csv = f"transaction_id,originator_name\nt1,{UN_NAME}\nt2,{CONFIDENTIAL_NAME}\n"
    uploaded = ana.post("/batches", data={"csrf_token": token, "threshold": "",
                                          "file": (io.BytesIO(csv.encode()), "pay.csv")},
                        content_type="multipart/form-data")
    assert uploaded.status_code == 302
    batch_id = uploaded.headers["Location"].rsplit("/", 1)[1]
    api.app.extensions["screening.jobs"].wait(batch_id, timeout=60)
    progress = ana.get(f"/batches/{batch_id}/progress.json").get_json()
    assert isinstance(progress, dict)
    assert (progress["status"], progress["progress"], progress["alerts"]) == ("done", 1.0, 1)
    export = ana.get(f"/batches/{batch_id}/export?format=csv")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    assert CONFIDENTIAL_NAME not in export.get_data(as_text=True)
    assert UN_NAME in export.get_data(as_text=True)
    queue = ana.get(f"/hits?batch_id={batch_id}").get_data(as_text=True)
    assert "1 hit(s)" in queue and CONFIDENTIAL_NAME not in queue
    alert_id = int(re.findall(r'href="/hits/(\d+)"', queue)[0])
    page = ana.get(f"/hits/{alert_id}").get_data(as_text=True)
    for text in ("Screened party", "Listed entity", "AIMAN MUHAMMED RABI AL-ZAWAHIRI",
                 "1951-06-19", "QDi.006", "Why this hit", "TM_CONFIRMED"):
        assert text in page
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version is not None
    decided = ana.post(f"/hits/{alert_id}/decide", data={
        "csrf_token": token, "version": version.group(1), "outcome": "true_match",
        "reason_code": "TM_CONFIRMED", "comment": "Same person."}, follow_redirects=True)
    assert "Decision recorded." in decided.get_data(as_text=True)
    stale = ana.post(f"/hits/{alert_id}/decide", data={
        "csrf_token": token, "version": version.group(1), "outcome": "false_positive",
        "reason_code": "FP_COMMON_NAME", "comment": "x"}, follow_redirects=True)
    assert "someone else changed it" in stale.get_data(as_text=True)
    sue = login(api, "sue")
    approvals = sue.get("/approvals").get_data(as_text=True)
    assert f"#{alert_id}" in approvals
    sue_token = _token(sue, "/approvals")
    hit_version = re.search(r'name="version" value="(\d+)"', approvals)
    assert hit_version is not None
    done = sue.post(f"/hits/{alert_id}/approve", data={
        "csrf_token": sue_token, "version": hit_version.group(1), "approve": "yes",
        "comment": "ok", "next": "/approvals"}, follow_redirects=True)
    assert "the hit is closed" in done.get_data(as_text=True)
    assert "Nothing waits for approval." in done.get_data(as_text=True)
    audit = sue.get("/audit?action=alert.").get_data(as_text=True)
    assert "chain intact" in audit and "alert.approve" in audit and "alert.decide" in audit


def test_other_pages_render(api: Api) -> None:
    sue = login(api, "sue")
    for url, text in (("/lists", "un_sc"), ("/lists/un_sc", "Only one version"),
                      ("/whitelist", "No whitelist entry"), ("/batches", "Upload and screen"),
                      ("/", "")):
        response = sue.get(url, follow_redirects=True)
        assert response.status_code == 200 and text in response.get_data(as_text=True), url
    assert sue.get("/lists/be_watch").status_code == 404  # not cleared
    assert login(api, "sky").get("/lists/be_watch").status_code == 200
    missing = sue.get("/hits/424242")
    assert missing.status_code == 404 and "no alert 424242" in missing.get_data(as_text=True)
    out = sue.post("/logout", data={"csrf_token": _token(sue, "/lists")})
    assert out.status_code == 302 and sue.get("/lists").status_code == 302
