"""POST /v1/screen: one party or one payment message, with explanations, stored for audit."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask

from api.db import Database
from screening.algorithms import DEFAULT
from tests.api.conftest import Api
from tests.api.helpers import CONFIDENTIAL, CONFIDENTIAL_NAME, UN_ENTITY, UN_NAME, error_of

PACS008 = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08">
  <FIToFICstmrCdtTrf>
    <GrpHdr><MsgId>M-1</MsgId><CreDtTm>2024-05-02T10:15:00</CreDtTm><NbOfTxs>1</NbOfTxs>
      <SttlmInf><SttlmMtd>INDA</SttlmMtd></SttlmInf></GrpHdr>
    <CdtTrfTxInf>
      <PmtId><EndToEndId>E2E-9</EndToEndId></PmtId>
      <IntrBkSttlmAmt Ccy="EUR">900.00</IntrBkSttlmAmt>
      <Dbtr><Nm>Jean Dupont</Nm><PstlAdr><Ctry>BE</Ctry></PstlAdr></Dbtr>
      <DbtrAgt><FinInstnId><BICFI>GEBABEBB</BICFI></FinInstnId></DbtrAgt>
      <CdtrAgt><FinInstnId><BICFI>DEUTDEFF</BICFI></FinInstnId></CdtrAgt>
      <Cdtr><Nm>Aiman Muhammed Rabi al-Zawahiri</Nm></Cdtr>
    </CdtTrfTxInf>
  </FIToFICstmrCdtTrf>
</Document>
"""
MT103 = """{1:F01GEBABEBBAXXX0000000001}{2:I103DEUTDEFFXXXXN}{4:
:20:FT24123ABC001
:23B:CRED
:32A:240502EUR15000,00
:50K:/BE71096123456769
JEAN DUPONT
RUE DE LA LOI 16
:59:/DE89370400440532013000
KARIM BELKACEM OUALI
:71A:SHA
-}
"""
XXE = """<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"><FIToFICstmrCdtTrf>
<CdtTrfTxInf><Cdtr><Nm>&xxe;</Nm></Cdtr></CdtTrfTxInf></FIToFICstmrCdtTrf></Document>
"""


def test_one_party_with_explanations_versions_and_algorithm(api: Api) -> None:
    response = api.post("bank", "/v1/screen", json={
        "name": "Ayman al Zawahiri", "birth_date": "1951-06-19", "nationality": "Egypt",
        "reference": "cust-42"})
    assert response.status_code == 200
    body = response.json
    assert body["kind"] == "party" and body["threshold"] == DEFAULT.threshold
    assert body["algorithm"] == {"name": "tf-default", "version": DEFAULT.version}
    assert body["snapshots"] == [{"list_id": "un_sc", "version": 1}]  # be_watch hidden
    assert body["parties"][0]["nationality"] == "EG"
    top = body["hits"][0]
    assert (top["entity_id"], top["list_id"], top["score"]) == (UN_ENTITY, "un_sc", 1.0)
    assert "matches the listed 1951-06-19" in top["explanation"]
    assert isinstance(body["screening_id"], int)


def test_screening_is_stored_with_an_audit_entry(api: Api, app: Flask) -> None:
    body = api.post("bank", "/v1/screen", json={"name": UN_NAME}).json
    app.extensions["screening.recorder"].flush()  # answered once journalled, committed soon after
    database: Database = app.extensions["screening.db"]
    con = database.cursor()
    row = con.execute("SELECT actor, kind, hits, result FROM single_screenings "
                      "WHERE screening_id = ?", [body["screening_id"]]).fetchone()
    assert row is not None and row[:3] == ("key:bank-key", "party", len(body["hits"]))
    assert json.loads(row[3])["hits"][0]["entity_id"] == UN_ENTITY
    audit = con.execute("SELECT actor, after FROM audit_log WHERE action = 'screen.single'"
                        ).fetchall()
    con.close()
    assert [a for a, _ in audit] == ["key:bank-key"]
    assert json.loads(audit[0][1])["parties"] == 1


def test_audit_never_names_a_confidential_hit(api: Api) -> None:
    api.post("vault", "/v1/screen", json={"name": CONFIDENTIAL_NAME})
    entries = api.get("sue", "/v1/audit", query_string={"action": "screen."}).json["entries"]
    assert [e["actor"] for e in entries] == ["key:vault-key"]
    assert CONFIDENTIAL not in json.dumps(entries) and "BE-W-001" not in json.dumps(entries)


def test_pacs008_message_screens_every_party(api: Api) -> None:
    response = api.post("bank", "/v1/screen", data=PACS008,
                        headers={"Content-Type": "application/xml"})
    assert response.status_code == 200, response.json
    body = response.json
    assert body["kind"] == "pacs008"
    roles = {p["role"]: p["name"] for p in body["parties"]}
    assert roles["originator"] == "Jean Dupont"
    assert roles["beneficiary"] == UN_NAME
    assert {"ordering_bank", "beneficiary_bank"} <= set(roles)
    hit_roles = {(h["role"], h["entity_id"]) for h in body["hits"]}
    assert ("beneficiary", UN_ENTITY) in hit_roles
    assert not any(h["role"] == "originator" for h in body["hits"])


def test_mt103_and_clearance(api: Api) -> None:
    plain = {"Content-Type": "text/plain"}
    hidden = api.post("bank", "/v1/screen", data=MT103, headers=plain).json
    assert hidden["kind"] == "mt103"
    assert not any(h["list_id"] == CONFIDENTIAL for h in hidden["hits"])
    assert CONFIDENTIAL not in json.dumps(hidden)
    cleared = api.post("vault", "/v1/screen", data=MT103, headers=plain).json
    assert [(h["list_id"], h["caption"]) for h in cleared["hits"]] == [
        (CONFIDENTIAL, CONFIDENTIAL_NAME)]
    assert {"list_id": CONFIDENTIAL, "version": 1} in cleared["snapshots"]


def test_xxe_message_is_refused_cleanly(api: Api) -> None:
    response = api.post("bank", "/v1/screen", data=XXE,
                        headers={"Content-Type": "application/xml"})
    assert response.status_code == 422
    assert "root:" not in response.get_data(as_text=True)
    assert error_of(response.json)["code"] == "invalid_input"


def test_bad_requests(api: Api) -> None:
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"json": {"name": "A", "colour": "red"}}, 422, "validation_error"),
        ({"json": {"schema": "Person"}}, 422, "validation_error"),
        ({"json": {"name": 42}}, 422, "validation_error"),
        ({"json": ["A"]}, 422, "validation_error"),
        ({"json": {"name": "A", "schema": "Planet"}}, 422, "validation_error"),
        ({"data": "{not json", "headers": {"Content-Type": "application/json"}}, 400,
         "bad_request"),
        ({"data": "name=A", "headers": {"Content-Type": "application/x-www-form-urlencoded"}},
         415, "unsupported_media_type"),
        ({"data": "hello", "headers": {"Content-Type": "text/plain"}}, 422, "validation_error"),
        ({"data": "", "headers": {"Content-Type": "text/plain"}}, 422, "invalid_input"),
    ]
    for kwargs, status, code in cases:
        response = api.post("bank", "/v1/screen", **kwargs)
        assert (response.status_code, error_of(response.json)["code"]) == (status, code), kwargs
    threshold = api.post("bank", "/v1/screen", json={"name": "A"}, query_string={"threshold": 2})
    assert threshold.status_code == 422


def test_query_parameters_are_applied(api: Api) -> None:
    """Most calls send none, so the query string is only parsed when there is one."""
    default = api.post("bank", "/v1/screen", json={"name": UN_NAME}).json
    assert default["threshold"] == DEFAULT.threshold and default["hits"]
    strict = api.post("bank", "/v1/screen", json={"name": UN_NAME},
                      query_string={"threshold": "1", "limit": "1"}).json
    assert strict["threshold"] == 1.0
    assert len(strict["hits"]) <= 1 and all(h["score"] >= 1.0 for h in strict["hits"])
    bad_limit = api.post("bank", "/v1/screen", json={"name": UN_NAME},
                         query_string={"limit": "many"})
    assert (bad_limit.status_code, error_of(bad_limit.json)["code"]) == (400, "bad_request")


def test_hostile_json(api: Api, app: Flask) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    nested = api.post("bank", "/v1/screen", data=deep,
                      headers={"Content-Type": "application/json"})
    assert nested.status_code == 400 and "nested too deeply" in error_of(nested.json)["message"]
    app.config["MAX_JSON_BYTES"] = 1000
    huge = api.post("bank", "/v1/screen", json={"name": "A" * 5000})
    assert huge.status_code == 413 and error_of(huge.json)["code"] == "payload_too_large"
    app.config["MAX_JSON_BYTES"] = 10 * 1024 * 1024
    long_name = api.post("bank", "/v1/screen", json={"name": "A" * 5000})
    assert long_name.status_code == 422


def test_every_role_may_screen_but_not_anonymously(api: Api) -> None:
    assert api.post(None, "/v1/screen", json={"name": "A"}).status_code == 401
    for person in ("bank", "ana", "sue", "adm"):
        assert api.post(person, "/v1/screen", json={"name": UN_NAME}).status_code == 200
