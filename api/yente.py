"""``POST /match/{dataset}`` in OpenSanctions yente's request and response format.

Every query of a request is screened in ONE vectorised call (each query's names become rows
tagged with the query key), then the best hit per entity is kept per query. yente's
parameters: ``threshold`` (a result at or above it has ``match: true``; default: the
algorithm's threshold), ``cutoff`` (results below it are not returned; default and maximum:
the threshold), ``limit`` (default 5) and ``algorithm``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from api.entities import EntityCache, ftm_properties
from api.errors import Invalid
from api.ranking import best_per_entity
from api.validate import Field, check_object
from lists.countries import to_iso
from screening.screener import Screener

MAX_QUERIES = 500  # yente allows 100; a larger batch costs little here (one vectorised call)
MAX_VALUES = 50
MAX_VALUE_CHARS = 1000
BODY_FIELDS = {
    "queries": Field((dict,), required=True, help="query key -> FtM-style entity"),
    "weights": Field((dict,), help="accepted for yente compatibility; must be empty"),
    "config": Field((dict,), help="accepted for yente compatibility; must be empty"),
}
QUERY_FIELDS = {
    "schema": Field((str,), required=True), "properties": Field((dict,), required=True),
    "id": Field((str,)),
}
# Every hit of some query rows (api.engine.Engines.screen_records, bound to a request's
# cutoff and lists).
Screen = Callable[[list[dict[str, Any]]], list[dict[str, Any]]]
SCHEMAS = {
    "Person": "Person", "Organization": "Organization", "Company": "Organization",
    "LegalEntity": "Organization", "PublicBody": "Organization", "Vessel": "Vessel",
    "Airplane": "Aircraft", "Aircraft": "Aircraft",
}
# FtM properties accepted in queries (others are refused so a typo never passes silently).
NAME_PROPS = ("name", "alias", "previousName", "weakAlias")
PART_PROPS = ("firstName", "middleName", "fatherName", "secondName", "lastName")
ID_PROPS = (
    "idNumber", "passportNumber", "taxNumber", "registrationNumber", "imoNumber", "swiftBic",
    "iban", "leiCode", "innCode", "ogrnCode", "vatCode", "mmsi", "callSign", "publicKey",
)
OTHER_PROPS = (
    "birthDate", "nationality", "citizenship", "country", "jurisdiction", "gender", "address",
    "birthPlace", "email", "phone", "notes", "topics", "position", "incorporationDate",
    "website", "flag", "type", "buildDate", "title", "sourceUrl", "program", "programId",
)
PROPERTIES = frozenset(NAME_PROPS + PART_PROPS + ID_PROPS + OTHER_PROPS)


def _values(key: str, prop: str, raw: Any, problems: list[dict[str, Any]]) -> list[str]:
    values = raw if isinstance(raw, list) else [raw]
    if len(values) > MAX_VALUES:
        problems.append({"field": f"queries.{key}.properties.{prop}",
                         "problem": f"more than {MAX_VALUES} values"})
        return []
    clean: list[str] = []
    for value in values:
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            problems.append({"field": f"queries.{key}.properties.{prop}",
                             "problem": "values must be strings"})
        elif len(str(value)) > MAX_VALUE_CHARS:
            problems.append({"field": f"queries.{key}.properties.{prop}",
                             "problem": f"a value is longer than {MAX_VALUE_CHARS} characters"})
        elif str(value).strip():
            clean.append(str(value).strip())
    return clean


def _query(key: str, example: Any, problems: list[dict[str, Any]]) -> dict[str, Any] | None:
    try:
        checked = check_object(example, QUERY_FIELDS, where=f"query {key!r}")
    except Invalid as exc:
        problems.extend({**d, "field": f"queries.{key}.{d['field']}"} for d in exc.details)
        return None
    schema = SCHEMAS.get(checked["schema"])
    if schema is None:
        problems.append({"field": f"queries.{key}.schema",
                         "problem": f"unknown schema; use one of {', '.join(SCHEMAS)}"})
    props: dict[str, list[str]] = {}
    for prop, raw in checked["properties"].items():
        if prop not in PROPERTIES:
            problems.append({"field": f"queries.{key}.properties.{prop}",
                             "problem": "unknown property; see GET /openapi.json"})
            continue
        props[prop] = _values(key, prop, raw, problems)
    names = [n for p in NAME_PROPS for n in props.get(p, [])]
    if not names and any(props.get(p) for p in PART_PROPS):
        names = [" ".join(props[p][0] for p in PART_PROPS if props.get(p))]
    if not names:
        problems.append({"field": f"queries.{key}.properties.name",
                         "problem": "a name is required (name, alias or firstName/lastName)"})
    if schema is None or not names:
        return None
    return {"id": checked.get("id") or key, "schema": checked["schema"], "screen_schema": schema,
            "names": names, "properties": props}


def parse_body(data: Any) -> dict[str, dict[str, Any]]:
    """The checked queries by key; Invalid lists every problem of every query."""
    checked = check_object(data, BODY_FIELDS)
    for unsupported in ("weights", "config"):
        if checked.get(unsupported):
            raise Invalid(f"{unsupported} cannot be tuned per request here; the algorithm is "
                          "chosen with the 'algorithm' parameter",
                          [{"field": unsupported, "problem": "must be empty"}])
    queries = checked["queries"]
    if not queries:
        raise Invalid("no queries given; send {'queries': {'key': {'schema': 'Person', "
                      "'properties': {'name': ['...']}}}}", [{"field": "queries",
                                                              "problem": "empty"}])
    if len(queries) > MAX_QUERIES:
        raise Invalid(f"{len(queries)} queries in one request; the limit is {MAX_QUERIES}",
                      [{"field": "queries", "problem": f"more than {MAX_QUERIES}"}])
    problems: list[dict[str, Any]] = []
    parsed = {str(k): q for k, v in queries.items() if (q := _query(str(k), v, problems))}
    if problems:
        raise Invalid(f"{len(problems)} problem(s) in the queries; see details", problems)
    return parsed


def _first(props: dict[str, list[str]], *names: str) -> str | None:
    for name in names:
        if props.get(name):
            return props[name][0]
    return None


def _iso(value: str | None) -> str | None:
    return (to_iso(value) or value.upper()) if value else None


def query_rows(queries: dict[str, dict[str, Any]]) -> list[dict[str, str | None]]:
    """One row per (query, name) with the columns the screener reads, tagged with qkey."""
    rows: list[dict[str, str | None]] = []
    for key, query in queries.items():  # request parsing: a few hundred queries at most
        props = query["properties"]
        base = {
            "qkey": key, "schema": query["screen_schema"],
            "birth_date": _first(props, "birthDate"),
            "nationality": _iso(_first(props, "nationality", "citizenship")),
            "country": _iso(_first(props, "country", "jurisdiction")),
            "identifier": _first(props, *ID_PROPS),
        }
        rows.extend({**base, "name": name} for name in query["names"])
    return rows


def _result(hit: dict[str, Any], threshold: float,
            props: dict[str, list[str]]) -> dict[str, Any]:
    return {
        "id": f"{hit['list_id']}:{hit['entity_id']}",
        "entity_id": hit["entity_id"],
        "caption": hit["caption"],
        "schema": hit["schema"],
        "properties": props,
        "datasets": [hit["list_id"]],
        "referents": [],
        "target": True,
        "score": round(float(hit["score"]), 4),
        "match": float(hit["score"]) >= threshold,
        "features": {"name": round(float(hit["name_score"]), 4)},
        "explanations": {
            "name": {"score": round(float(hit["name_score"]), 4), "detail": hit["explanation"],
                     "query": hit["query_name"], "candidate": hit["matched_name"],
                     "method": hit["method"]},
        },
    }


def respond(connect: Callable[[], Any], entity_cache: EntityCache, screener: Screener,
            queries: dict[str, dict[str, Any]], screen: Screen, threshold: float,
            cutoff: float, limit: int) -> dict[str, Any]:
    """The yente response body for the parsed queries; ``screen`` gives every hit of the
    query rows (at the cutoff, on the lists the caller may see)."""
    hits = screen(query_rows(queries))
    best = best_per_entity(hits, "qkey")
    top = {key: found[:limit] for key, found in best.items()}
    entities = entity_cache.get(connect, screener.snapshots, [
        (hit["list_id"], hit["entity_id"]) for found in top.values() for hit in found])
    results: dict[str, list[dict[str, Any]]] = {key: [] for key in queries}
    for key, found in top.items():
        for hit in found:
            entity = entities.get((hit["list_id"], hit["entity_id"]))
            props = ftm_properties(entity) if entity else {"name": [hit["caption"]]}
            results[str(key)].append(_result(hit, threshold, props))
    algo = screener.algorithm
    return {
        "responses": {
            key: {
                "status": 200, "results": results[key],
                "total": {"value": len(best.get(key, [])), "relation": "eq"},
                "query": {"id": q["id"], "schema": q["schema"], "properties": q["properties"]},
            }
            for key, q in queries.items()
        },
        "matcher": {"name": algo.name, "version": algo.version, "description": algo.description,
                    "threshold": threshold, "cutoff": cutoff},
        "limit": limit,
    }
