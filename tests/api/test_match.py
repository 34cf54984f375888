"""POST /match/{dataset}: yente's request and response, datasets, parameters, clearance."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from screening.algorithms import DEFAULT
from screening.api import open_screener
from tests.api.conftest import Api
from tests.api.helpers import CONFIDENTIAL, CONFIDENTIAL_NAME, UN_ENTITY, UN_NAME, error_of, query


def _match(api: Api, person: str | None, queries: dict[str, Any], dataset: str = "default",
           **params: Any) -> Any:
    return api.post(person, f"/match/{dataset}", json={"queries": queries},
                    query_string=params)


def test_yente_request_and_response_shape(api: Api) -> None:
    response = _match(api, "bank", {
        "q1": query("Ayman al-Zawahiri", birthDate=["1951-06-19"], nationality=["eg"]),
        "q2": {"schema": "Company", "properties": {"name": ["Brilliant Amazing Limited"]}},
    })
    assert response.status_code == 200
    body = response.json
    assert set(body) == {"responses", "matcher", "limit"} and body["limit"] == 5
    assert body["matcher"]["name"] == "tf-default"
    assert body["matcher"]["threshold"] == DEFAULT.threshold
    first = body["responses"]["q1"]
    assert first["status"] == 200
    assert first["query"] == {"id": "q1", "schema": "Person", "properties": {
        "name": ["Ayman al-Zawahiri"], "birthDate": ["1951-06-19"], "nationality": ["eg"]}}
    top = first["results"][0]
    assert {"id", "caption", "schema", "score", "match", "datasets", "features",
            "explanations", "properties"} <= set(top)
    assert (top["id"], top["entity_id"], top["datasets"]) == (f"un_sc:{UN_ENTITY}", UN_ENTITY,
                                                              ["un_sc"])
    assert top["caption"] == "AIMAN MUHAMMED RABI AL-ZAWAHIRI" and top["schema"] == "Person"
    assert top["score"] == 1.0 and top["match"] is True
    assert "1951-06-19" in top["properties"]["birthDate"]
    assert top["properties"]["name"] == ["AIMAN MUHAMMED RABI AL-ZAWAHIRI"]
    assert "Date of birth 1951-06-19 matches" in top["explanations"]["name"]["detail"]
    assert first["total"] == {"value": len(first["results"]), "relation": "eq"}
    assert body["responses"]["q2"]["results"] == []
    assert body["responses"]["q2"]["total"]["value"] == 0


def test_threshold_cutoff_and_limit(api: Api, db_path: Path) -> None:
    engine = open_screener(db_path).screen(pl.DataFrame({"name": ["Ahmed Khan"]}),
                                           threshold=0.5, limit=None)
    expected = engine["entity_id"].n_unique()  # the engine's own answer, entity by entity
    assert expected > 3 and all(s < 0.8 for s in engine["score"].to_list())
    strict = _match(api, "bank", {"q": query("Ahmed Khan")}).json["responses"]["q"]
    loose = _match(api, "bank", {"q": query("Ahmed Khan")}, threshold=0.5,
                   limit=3).json["responses"]["q"]
    assert strict["results"] == [] and strict["total"]["value"] == 0  # all below 0.80
    assert len(loose["results"]) == 3 and loose["total"]["value"] == expected
    scores = [r["score"] for r in loose["results"]]
    assert scores == sorted(scores, reverse=True) and min(scores) >= 0.5
    flagged = _match(api, "bank", {"q": query(UN_NAME)}, threshold=0.99,
                     cutoff=0.3).json["responses"]["q"]["results"]
    assert flagged[0]["match"] is True
    assert any(r["match"] is False for r in flagged)  # returned above cutoff, below threshold


def test_dataset_selects_one_list(api: Api) -> None:
    found = _match(api, "bank", {"q": query(UN_NAME)}, dataset="un_sc")
    assert found.status_code == 200 and found.json["responses"]["q"]["results"]
    unknown = _match(api, "bank", {"q": query(UN_NAME)}, dataset="nope")
    assert unknown.status_code == 404 and error_of(unknown.json)["code"] == "not_found"


def test_confidential_list_hidden_without_clearance(api: Api) -> None:
    queries = {"q": query(CONFIDENTIAL_NAME, birthDate=["1984-03-12"])}
    hidden = _match(api, "bank", queries).json["responses"]["q"]
    assert hidden["results"] == [] and hidden["total"]["value"] == 0
    probed = _match(api, "bank", queries, dataset=CONFIDENTIAL)
    assert probed.status_code == 404  # cannot even learn the list exists
    cleared = _match(api, "vault", queries).json["responses"]["q"]["results"]
    assert [(r["datasets"], r["caption"]) for r in cleared] == [
        ([CONFIDENTIAL], CONFIDENTIAL_NAME)]
    assert _match(api, "vault", queries, dataset=CONFIDENTIAL).status_code == 200


def test_ofac_algorithm_and_unknown_algorithm(api: Api) -> None:
    ofac = _match(api, "bank", {"q": query(UN_NAME)}, algorithm="ofac")
    assert ofac.json["matcher"]["name"] == "ofac"
    bad = _match(api, "bank", {"q": query(UN_NAME)}, algorithm="logic-v9")
    assert bad.status_code == 422 and "tf-default" in error_of(bad.json)["message"]


def test_invalid_queries_list_every_problem(api: Api) -> None:
    response = _match(api, "bank", {
        "a": {"schema": "Planet", "properties": {"name": ["X"]}},
        "b": {"schema": "Person", "properties": {"colour": ["red"], "name": ["Y"]}},
        "c": {"schema": "Person", "properties": {}},
        "d": {"schema": "Person", "properties": {"name": ["Z"]}, "extra": 1},
    })
    assert response.status_code == 422
    fields = {d["field"] for d in error_of(response.json)["details"]}
    assert fields == {"queries.a.schema", "queries.b.properties.colour",
                      "queries.c.properties.name", "queries.d.extra"}


def test_query_limits(api: Api) -> None:
    too_many = _match(api, "bank", {str(i): query("A B") for i in range(501)})
    assert too_many.status_code == 422 and "500" in error_of(too_many.json)["message"]
    empty = _match(api, "bank", {})
    assert empty.status_code == 422
    config = api.post("bank", "/match/default", json={"queries": {"q": query("A")},
                                                      "config": {"x": 1}})
    assert config.status_code == 422
    many = _match(api, "bank", {str(i): query(UN_NAME) for i in range(120)})
    assert many.status_code == 200 and len(many.json["responses"]) == 120
    one = _match(api, "bank", {"0": query(UN_NAME)}).json["responses"]["0"]["results"]
    assert one and all(r["results"] == one for r in many.json["responses"].values())


def test_match_needs_a_key(api: Api) -> None:
    response = _match(api, None, {"q": query(UN_NAME)})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert error_of(response.json)["code"] == "unauthorized"
    wrong = api.client.post("/match/default", json={"queries": {"q": query("A")}},
                            headers={"Authorization": "Bearer not-a-key"})
    assert wrong.status_code == 401 and "not valid" in error_of(wrong.json)["message"]
    basic = api.client.post("/match/default", json={}, headers={"Authorization": "Basic eDp5"})
    assert basic.status_code == 401
