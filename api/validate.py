"""Reading request bodies and parameters: every problem is collected, then raised once.

``Body`` checks a JSON object against the fields an endpoint accepts (unknown fields are
refused, so a typo never passes silently); ``query_int`` / ``query_float`` read parameters.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app, request

from api.errors import BadRequest, Invalid, PayloadTooLarge

JSON_TYPES: dict[type, str] = {
    str: "a string", bool: "true or false", int: "an integer", float: "a number",
    list: "an array", dict: "an object",
}


@dataclass(frozen=True, slots=True)
class Field:
    """One accepted body field: its JSON type(s) and whether it must be present."""

    types: tuple[type, ...]
    required: bool = False
    help: str = ""

    def describe(self) -> str:
        return " or ".join(JSON_TYPES[t] for t in self.types)


def read_json() -> Any:
    """The parsed JSON body; 413 above MAX_JSON_BYTES, 400 when it is not JSON."""
    limit = int(current_app.config["MAX_JSON_BYTES"])
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(f"the JSON body is larger than {limit} bytes; send less per "
                              "request (split a batch, or upload it to POST /v1/batches)")
    raw = request.get_data(cache=True)
    if len(raw) > limit:
        raise PayloadTooLarge(f"the JSON body is larger than {limit} bytes")
    if not raw.strip():
        raise BadRequest("the request body is empty; send a JSON object "
                         "(Content-Type: application/json)")
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:
        message = str(exc) if isinstance(exc, ValueError) else "nested too deeply"
        raise BadRequest(f"the body is not valid JSON ({message}); send a JSON object "
                         "(Content-Type: application/json)") from None


def _type_ok(value: Any, types: tuple[type, ...]) -> bool:
    if isinstance(value, bool):
        return bool in types
    if isinstance(value, int) and float in types:
        return True
    return isinstance(value, types)


def check_object(data: Any, fields: Mapping[str, Field], where: str = "body") -> dict[str, Any]:
    """``data`` as a dict when it is an object of known, well-typed fields; else Invalid."""
    if not isinstance(data, dict):
        raise Invalid(f"the {where} must be a JSON object",
                      [{"field": where, "problem": "not an object"}])
    problems: list[dict[str, Any]] = []
    for name in sorted(set(data) - set(fields)):
        problems.append({"field": name, "problem": "unknown field; accepted: "
                         + ", ".join(sorted(fields))})
    for name, spec in fields.items():
        if name not in data or data[name] is None:
            if spec.required:
                problems.append({"field": name, "problem": f"required ({spec.describe()})"})
            continue
        if not _type_ok(data[name], spec.types):
            problems.append({"field": name, "problem": f"must be {spec.describe()}"})
    if problems:
        fields_named = ", ".join(str(p["field"]) for p in problems)
        raise Invalid(f"the {where} has {len(problems)} problem(s) ({fields_named}); see "
                      "details", problems)
    return data


def body(fields: Mapping[str, Field]) -> dict[str, Any]:
    """The JSON body as a checked object."""
    return check_object(read_json(), fields)


def _number(name: str, kind: type, low: float | None, high: float | None) -> Any:
    if not request.environ.get("QUERY_STRING"):
        return None  # most calls have no parameters: not worth parsing an empty query
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = kind(raw)
    except ValueError:
        raise BadRequest(f"parameter {name}={raw!r} is not {JSON_TYPES[kind]}") from None
    if (low is not None and value < low) or (high is not None and value > high):
        raise Invalid(f"parameter {name}={raw} is out of range; use {low}..{high}",
                      [{"field": name, "problem": f"must be between {low} and {high}"}])
    return value


def query_int(name: str, default: int, low: int, high: int) -> int:
    """An integer query parameter within [low, high]."""
    value = _number(name, int, low, high)
    return default if value is None else int(value)


def query_float(name: str, low: float = 0.0, high: float = 1.0) -> float | None:
    """An optional number query parameter within [low, high]."""
    value = _number(name, float, low, high)
    return None if value is None else float(value)


def query_text(name: str) -> str | None:
    """A text query parameter; None when absent or empty."""
    if not request.environ.get("QUERY_STRING"):
        return None
    return request.args.get(name) or None


def query_choice(name: str, choices: tuple[str, ...], default: str | None = None) -> str | None:
    """A query parameter that must be one of ``choices``."""
    raw = request.args.get(name) or default
    if raw is not None and raw not in choices:
        raise Invalid(f"parameter {name}={raw!r} is not allowed; use one of "
                      f"{', '.join(choices)}", [{"field": name, "problem": "not allowed"}])
    return raw


def in_range(name: str, value: float | None, low: float = 0.0, high: float = 1.0) -> None:
    """Invalid unless ``value`` is None or within [low, high]."""
    if value is not None and not low <= value <= high:
        raise Invalid(f"{name} must be between {low} and {high}",
                      [{"field": name, "problem": f"must be between {low} and {high}"}])
