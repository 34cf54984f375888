"""``POST /v1/screen``: one party (JSON) or one payment message (pacs.008/pain.001 XML, MT103).

A message is written to a temporary file and read with the batch parsers of
``screening.inputs`` (safe XML), so a message screens exactly like the same message in a batch
file: every named party, and parties identified only by an identifier, account or BIC. The
result (hits the caller may see, snapshot versions, algorithm, threshold) is journalled before
the answer and committed to ``single_screenings`` and the audit log in groups (``api.recorder``).
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from api.access import ListState
from api.engine import Built, Engines, lists_for, visible_snapshots
from api.errors import Invalid, UnsupportedMediaType
from api.ranking import best_per_entity
from api.recorder import ScreeningRecord
from api.validate import Field, check_object
from screening.inputs import detect_format, read_batch
from screening.review.users import Principal

PARTY_FIELDS = {
    "name": Field((str,), required=True), "schema": Field((str,)),
    "birth_date": Field((str,)), "country": Field((str,)), "nationality": Field((str,)),
    "identifier": Field((str,)), "reference": Field((str,), help="your own id, stored"),
}
SCHEMAS = ("Person", "Organization", "Vessel", "Aircraft")
MESSAGE_TYPES = {
    "application/xml": ("pacs008", "pain001", "goaml"), "text/xml": ("pacs008", "pain001", "goaml"),
    "text/plain": ("mt103",),
}
_BANK_ROLES = ("ordering_bank", "beneficiary_bank", "intermediary_bank")
_SCREEN_COLUMNS = ("name", "schema", "birth_date", "country", "nationality", "identifier")
DEFAULT_LIMIT = 10  # hits per party when the request has no ``limit``
# ``json.dumps(result, default=str)``'s encoder, made once: dumps builds one per call.
_RESULT_ENCODER = json.JSONEncoder(default=str)


@dataclass(frozen=True, slots=True)
class Parties:
    """What was screened: the parties frame and the kind of request."""

    kind: str
    rows: list[dict[str, Any]]  # party_index, role, transaction_id + the screener's columns
    rejections: list[dict[str, Any]]


def party_from_json(data: Any) -> Parties:
    """One party from a JSON object (unknown fields refused)."""
    party = check_object(data, PARTY_FIELDS)
    schema = party.get("schema") or "Person"
    if schema not in SCHEMAS:
        raise Invalid(f"unknown schema {schema!r}; use one of {', '.join(SCHEMAS)}",
                      [{"field": "schema", "problem": "unknown"}])
    name = str(party["name"]).strip()
    if not name or len(name) > 1000:
        raise Invalid("the name must have 1 to 1000 characters",
                      [{"field": "name", "problem": "empty or too long"}])
    row = {c: party.get(c) for c in _SCREEN_COLUMNS} | {"name": name, "schema": schema}
    from lists.countries import to_iso

    for column in ("country", "nationality"):
        if row[column]:
            row[column] = to_iso(str(row[column])) or str(row[column]).upper()
    return Parties("party", [{"party_index": 0, "role": "party",
                              "transaction_id": party.get("reference"), **row}], [])


def media_type(content_type: str | None) -> str:
    """The media type of a Content-Type header, lower case, without its parameters."""
    return (content_type or "").split(";")[0].strip().lower()


def parties_from_message(raw: bytes, content_type: str | None) -> Parties:
    """The parties of one payment message sent as the raw body."""
    media = media_type(content_type)
    allowed = MESSAGE_TYPES.get(media)
    if allowed is None:
        raise UnsupportedMediaType(
            f"Content-Type {media or '(none)'} is not accepted; send application/json (one "
            "party), application/xml (pacs.008, pain.001, goAML) or text/plain (MT103)")
    with tempfile.TemporaryDirectory(prefix="screening-message-") as tmp:
        path = Path(tmp) / ("message.xml" if media.endswith("xml") else "message.txt")
        path.write_bytes(raw)
        fmt = detect_format(path)
        if fmt not in allowed:
            raise Invalid(f"the body reads as {fmt}, not as {' or '.join(allowed)} as its "
                          f"Content-Type {media} says", [{"field": "body", "problem": fmt}])
        parsed = read_batch(path, format=fmt)
    rejections = [{"position": r.position, "field": r.field, "reason": r.reason}
                  for r in parsed.rejections]
    frame = _message_frame(parsed.parties)
    if frame.height == 0:
        raise Invalid("the message has no party to screen (no name, identifier, account or "
                      "BIC)", rejections)
    return Parties(fmt, frame.to_dicts(), rejections)


def _message_frame(parties: pl.DataFrame) -> pl.DataFrame:
    """Screenable rows: a name or an identifier (id number, else account, else BIC)."""
    schema = pl.when(pl.col("schema").is_null() & pl.col("role").is_in(_BANK_ROLES)).then(
        pl.lit("Organization")).otherwise(pl.col("schema").fill_null("Person"))
    frame = parties.sort("source_position", "role").with_columns(
        pl.coalesce("id_number", "account", "bic").alias("identifier"), schema.alias("schema"),
    ).filter(pl.col("name").is_not_null() | pl.col("identifier").is_not_null())
    return frame.with_row_index("party_index").select(
        pl.col("party_index").cast(pl.Int64), "role", "transaction_id",
        pl.col("name").fill_null(""), *_SCREEN_COLUMNS[1:],
    )


def screen_parties(engines: Engines, built: Built, parties: Parties, allowed: list[str] | None,
                   threshold: float | None, limit: int) -> list[dict[str, Any]]:
    """The hits of every party (best first per party), only on lists the caller may see."""
    hits = engines.screen_records(built, parties.rows, threshold, allowed)
    grouped = best_per_entity(hits, "party_index")
    return [hit for index in sorted(grouped) for hit in grouped[index][:limit]]


def hit_dicts(hits: list[dict[str, Any]]) -> list[dict[str, Any]]:
    columns = ("party_index", "role", "query_name", "entity_id", "list_id", "schema", "caption",
               "matched_name", "score", "name_score", "method", "explanation")
    return [
        {**{c: hit[c] for c in columns}, "score": round(float(hit["score"]), 4),
         "name_score": round(float(hit["name_score"]), 4), "match": True}
        for hit in hits
    ]


def screening_record(actor: str, raw: bytes, result: dict[str, Any]) -> ScreeningRecord:
    """What ``api.recorder`` stores for a screening (the request is kept as its SHA-256)."""
    hits = result["hits"]
    return ScreeningRecord(
        actor=actor, kind=result["kind"], request_sha256=hashlib.sha256(raw).hexdigest(),
        parties=len(result["parties"]), hits=len(hits),
        max_score=max((h["score"] for h in hits), default=None),
        threshold=result["threshold"], algorithm=result["algorithm"]["name"],
        algorithm_version=result["algorithm"]["version"],
        snapshots_json=json.dumps(result["snapshots"]),
        result_json=_RESULT_ENCODER.encode(result),
    )


def screened(engines: Engines, state: ListState, caller: Principal, raw: bytes,
             parties: Parties, threshold: float | None, limit: int, algorithm: str | None
             ) -> ScreeningRecord:
    """The parties screened on the lists the caller may see, as the record to journal (nothing
    is stored yet). ``api.json_screening.screen`` and ``api.fast_screen`` both answer with it."""
    built = engines.built(state, algorithm)
    screener = built.screener
    allowed = lists_for(state, caller)
    hits = screen_parties(engines, built, parties, allowed, threshold, limit)
    result: dict[str, Any] = {
        "kind": parties.kind,
        "parties": parties.rows,
        "rejections": parties.rejections,
        "hits": hit_dicts(hits),
        "threshold": screener.default_threshold if threshold is None else threshold,
        "algorithm": {"name": screener.algorithm.name, "version": screener.algorithm.version},
        "snapshots": visible_snapshots(screener, allowed),
    }
    return screening_record(caller.actor, raw, result)


def answer_body(record: ScreeningRecord, screening_id: int) -> bytes:
    """The response body: the stored result with its id, encoded once (the result is the
    biggest part of the request's JSON work, and it was already encoded for the store)."""
    body = record.result_json
    assert body.endswith("}")  # a JSON object: the id goes in as its last member
    return f'{body[:-1]}, "screening_id": {screening_id}}}\n'.encode()
