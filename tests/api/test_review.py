"""Hit review over HTTP: side-by-side detail, decisions, four-eyes, conflicts, whitelist, audit."""

from __future__ import annotations

import threading
from typing import Any

from tests.api.conftest import Api
from tests.api.helpers import CONFIDENTIAL, CONFIDENTIAL_NAME, UN_ENTITY, UN_NAME, error_of

RECORDS: list[dict[str, Any]] = [
    {"transaction_id": "t1", "originator_name": UN_NAME, "originator_country": "EG"},
    {"transaction_id": "t2", "originator_name": CONFIDENTIAL_NAME},
]
TRUE_MATCH = {"outcome": "true_match", "reason_code": "TM_CONFIRMED",
              "comment": "Name, date of birth and nationality agree."}
FALSE_POSITIVE = {"outcome": "false_positive", "reason_code": "FP_DOB_MISMATCH",
                  "comment": "Born in 1990, the listed person in 1951."}


def _hit_ids(api: Api, person: str = "cleo") -> dict[str, int]:
    """Batch the two records; the alert id per list."""
    batch_id = api.batch("ana", RECORDS)
    hits = api.get(person, f"/v1/batches/{batch_id}/hits").json["hits"]
    return {h["list_id"]: h["alert_id"] for h in hits}


def test_hit_detail_side_by_side(api: Api) -> None:
    alert_id = _hit_ids(api)["un_sc"]
    detail = api.get("ana", f"/v1/hits/{alert_id}").json
    assert detail["party"]["name"] == UN_NAME and detail["party"]["country"] == "EG"
    entity = detail["entity"]
    assert (entity["entity_id"], entity["list_id"]) == (UN_ENTITY, "un_sc")
    assert entity["caption"] == "AIMAN MUHAMMED RABI AL-ZAWAHIRI"
    assert entity["birth_dates"] == ["1951-06-19"] and entity["listed_on"] == "2001-01-25"
    assert "Ayman Al-Zawahari" in [n["name"] for n in entity["names"]]
    assert {"kind": "passport", "value": "1084010", "country": "EG", "type": "Passport",
            "note": None} in entity["identifiers"]
    assert entity["nationalities"] == ["EG"] and entity["reference"] == "QDi.006"
    assert detail["hit"]["explanation"].startswith(f"Query name '{UN_NAME}'")
    assert detail["history"] == [] and detail["entity_changed_since"] is None


def test_confidential_hit_is_not_found_without_clearance(api: Api) -> None:
    alert_id = _hit_ids(api)[CONFIDENTIAL]
    hidden = api.get("ana", f"/v1/hits/{alert_id}")
    assert hidden.status_code == 404 and error_of(hidden.json)["message"] == \
        f"no alert {alert_id}"
    assert api.post("ana", f"/v1/hits/{alert_id}/decision", json=FALSE_POSITIVE
                    ).status_code == 404
    listed = api.get("ana", "/v1/hits").json
    assert CONFIDENTIAL_NAME not in {h["party_name"] for h in listed["hits"]}
    assert api.get("cleo", f"/v1/hits/{alert_id}").json["entity"]["programs"] == [
        "BE-FIU-WATCH"]


def test_four_eyes_over_http(api: Api) -> None:
    alert_id = _hit_ids(api)["un_sc"]
    decided = api.post("ana", f"/v1/hits/{alert_id}/decision", json=TRUE_MATCH)
    assert decided.status_code == 200
    assert decided.json["hit"]["status"] == "pending_approval"
    assert decided.json["decision"]["actor"] == "key:ana-key"
    analyst = api.post("ana", f"/v1/hits/{alert_id}/approval", json={"approve": True})
    assert analyst.status_code == 403 and "supervisor" in error_of(analyst.json)["message"]
    queue = api.get("sue", "/v1/approvals").json["hits"]
    assert [h["alert_id"] for h in queue] == [alert_id]
    approved = api.post("sue", f"/v1/hits/{alert_id}/approval",
                        json={"approve": True, "comment": "Agreed."})
    assert approved.status_code == 200
    assert (approved.json["hit"]["status"], approved.json["hit"]["outcome"]) == (
        "closed", "true_match")
    again = api.post("bob", f"/v1/hits/{alert_id}/decision", json=FALSE_POSITIVE)
    assert again.status_code == 409 and error_of(again.json)["code"] == "invalid_transition"
    history = api.get("ana", f"/v1/hits/{alert_id}").json["history"]
    assert [(x["kind"], x["actor"]) for x in history] == [
        ("decision", "key:ana-key"), ("approval", "key:sue-key")]


def test_same_person_cannot_approve_own_decision(api: Api) -> None:
    alert_id = _hit_ids(api)["un_sc"]
    assert api.post("sue", f"/v1/hits/{alert_id}/decision", json=TRUE_MATCH).status_code == 200
    own = api.post("sue", f"/v1/hits/{alert_id}/approval", json={"approve": True})
    assert own.status_code == 403 and "four-eyes" in error_of(own.json)["message"]
    rejected = api.post("sam", f"/v1/hits/{alert_id}/approval", json={"approve": False})
    assert rejected.status_code == 422  # rejecting needs a comment
    rejected = api.post("sam", f"/v1/hits/{alert_id}/approval",
                        json={"approve": False, "comment": "Check the passport first."})
    assert rejected.json["hit"]["status"] == "in_review"


def test_stale_version_is_a_conflict(api: Api) -> None:
    alert_id = _hit_ids(api)["un_sc"]
    seen = api.get("ana", f"/v1/hits/{alert_id}").json["hit"]["row_version"]
    first = api.post("ana", f"/v1/hits/{alert_id}/decision", json={**TRUE_MATCH, "version": seen})
    assert first.status_code == 200
    second = api.post("bob", f"/v1/hits/{alert_id}/decision",
                      json={**FALSE_POSITIVE, "version": seen})
    assert second.status_code == 409 and error_of(second.json)["code"] == "conflict_error"
    assert "reload" in error_of(second.json)["message"]


def test_concurrent_decisions_one_wins_one_conflicts(api: Api) -> None:
    alert_id = _hit_ids(api)["un_sc"]
    seen = api.get("ana", f"/v1/hits/{alert_id}").json["hit"]["row_version"]
    statuses: list[int] = []
    barrier = threading.Barrier(2)

    def decide(person: str, body: dict[str, Any]) -> None:
        client = api.app.test_client()
        barrier.wait()
        response = client.post(f"/v1/hits/{alert_id}/decision", json={**body, "version": seen},
                               headers={"Authorization": f"Bearer {api.seed.keys[person]}"})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=decide, args=("ana", TRUE_MATCH)),
               threading.Thread(target=decide, args=("bob", FALSE_POSITIVE))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 409]
    history = api.get("ana", f"/v1/hits/{alert_id}").json["history"]
    assert len(history) == 1  # exactly one decision stored, the other refused loudly


def test_decision_validation(api: Api) -> None:
    alert_id = _hit_ids(api)["un_sc"]
    url = f"/v1/hits/{alert_id}/decision"
    missing = api.post("ana", url, json={"outcome": "true_match"})
    assert missing.status_code == 422
    assert {d["field"] for d in error_of(missing.json)["details"]} == {"reason_code", "comment"}
    wrong_code = api.post("ana", url, json={**TRUE_MATCH, "reason_code": "FP_DOB_MISMATCH"})
    assert wrong_code.status_code == 422 and "TM_CONFIRMED" in error_of(wrong_code.json)["message"]
    outcome = api.post("ana", url, json={**TRUE_MATCH, "outcome": "maybe"})
    assert outcome.status_code == 422
    assert api.post("ana", url, json={**TRUE_MATCH, "version": "1"}).status_code == 422
    assert api.post("ana", url, data="{", headers={"Content-Type": "application/json"}
                    ).status_code == 400
    assert api.post("ana", "/v1/hits/999999/decision", json=TRUE_MATCH).status_code == 404
    assert api.post("bank", url, json=TRUE_MATCH).status_code == 403
    assert api.post(None, url, json=TRUE_MATCH).status_code == 401


def test_claim_and_reopen(api: Api) -> None:
    alert_id = _hit_ids(api)["un_sc"]
    claimed = api.post("ana", f"/v1/hits/{alert_id}/claim")
    assert claimed.status_code == 200 and claimed.json["status"] == "in_review"
    api.post("ana", f"/v1/hits/{alert_id}/decision", json={
        "outcome": "escalate", "reason_code": "ESC_NEED_INFO", "comment": "Ask the bank."})
    assert api.post("ana", f"/v1/hits/{alert_id}/reopen", json={"comment": "x"}
                    ).status_code == 403
    reopened = api.post("sue", f"/v1/hits/{alert_id}/reopen", json={"comment": "New facts."})
    assert reopened.status_code == 200 and reopened.json["status"] == "open"
    assert api.post("sue", f"/v1/hits/{alert_id}/reopen", json={"comment": "again"}
                    ).status_code == 409


def test_whitelist_flow_suppresses_the_next_batch(api: Api) -> None:
    alert_id = _hit_ids(api)["un_sc"]
    api.post("ana", f"/v1/hits/{alert_id}/decision", json=FALSE_POSITIVE)
    api.post("sue", f"/v1/hits/{alert_id}/approval", json={"approve": True})
    proposed = api.post("ana", f"/v1/hits/{alert_id}/whitelist",
                        json={"reason": "Different person, born 1990."})
    assert proposed.status_code == 201 and proposed.json["status"] == "proposed"
    entry_id = proposed.json["entry_id"]
    assert api.post("ana", f"/v1/whitelist/{entry_id}/approval", json={"approve": True}
                    ).status_code == 403
    active = api.post("sue", f"/v1/whitelist/{entry_id}/approval", json={"approve": True})
    assert active.status_code == 200 and active.json["effective_status"] == "active"
    listed = api.get("ana", "/v1/whitelist", query_string={"status": "active"}).json
    assert [e["entry_id"] for e in listed["entries"]] == [entry_id]
    batch_id = api.batch("ana", RECORDS[:1])
    hits = api.get("ana", f"/v1/batches/{batch_id}/hits").json["hits"]
    assert [(h["status"], h["suppressed_by"]) for h in hits] == [("suppressed", entry_id)]
    assert api.get("ana", f"/v1/batches/{batch_id}").json["suppressed"] == 1
    revoked = api.post("sam", f"/v1/whitelist/{entry_id}/revoke", json={"comment": "Review."})
    assert revoked.json["status"] == "revoked"
    assert api.get("ana", f"/v1/whitelist/{entry_id}").json["status"] == "revoked"
    bad_date = api.post("ana", f"/v1/hits/{alert_id}/whitelist",
                        json={"reason": "x", "expires_on": "soon"})
    assert bad_date.status_code == 422


def test_audit_trail(api: Api) -> None:
    alert_id = _hit_ids(api)["un_sc"]
    api.post("ana", f"/v1/hits/{alert_id}/decision", json=TRUE_MATCH)
    api.post("sue", f"/v1/hits/{alert_id}/approval", json={"approve": True})
    assert api.get("ana", "/v1/audit").status_code == 403
    entries = api.get("sue", "/v1/audit", query_string={"target": f"alert:{alert_id}"}).json
    assert [(e["action"], e["actor"]) for e in entries["entries"]] == [
        ("alert.approve", "key:sue-key"), ("alert.decide", "key:ana-key")]
    decide = entries["entries"][1]
    assert decide["before"]["status"] == "open"
    assert decide["after"]["outcome"] == "true_match"
    assert decide["hash"] != decide["prev_hash"]
    uploads = api.get("sue", "/v1/audit", query_string={"action": "batch."}).json["entries"]
    assert [e["action"] for e in uploads] == ["batch.upload"]
    verified = api.get("sue", "/v1/audit/verify").json
    assert verified["ok"] is True and verified["first_bad_seq"] is None
    assert api.get("sue", "/v1/audit", query_string={"per_page": 0}).status_code == 422
