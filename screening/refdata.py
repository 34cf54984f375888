"""Cached loaders for the reference data of the normalisation layer (screening/data/*.yml).

The YAML files are this project's own word lists (titles, legal forms, abbreviations, name
variants, stopwords, Arabic romanisation, look-alike characters). Each file is read once per
process; the accessors check the shapes so a broken edit fails loudly at first use.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"


class RefDataError(ValueError):
    """A reference-data file is missing or does not have the expected shape."""


@cache
def load(name: str) -> dict[str, Any]:
    """The parsed content of screening/data/<name>.yml (a mapping at the top level)."""
    path = DATA_DIR / f"{name}.yml"
    try:
        with path.open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except (OSError, yaml.YAMLError) as exc:
        raise RefDataError(f"{path}: cannot read reference data: {exc}") from exc
    if not isinstance(data, dict):
        raise RefDataError(f"{path}: top level must be a mapping")
    return data


def _section(name: str, key: str) -> Any:
    data = load(name)
    if key not in data:
        raise RefDataError(f"{DATA_DIR / name}.yml: missing section {key!r}")
    return data[key]


def string_list(name: str, key: str) -> list[str]:
    """A list of strings from section `key` of file `name`."""
    value = _section(name, key)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise RefDataError(f"{DATA_DIR / name}.yml: {key!r} must be a list of strings")
    return list(value)


@cache
def word_set(name: str, key: str) -> frozenset[str]:
    """``string_list`` as a set, read once (words looked up for every name)."""
    return frozenset(string_list(name, key))


def string_map(name: str, key: str) -> dict[str, str]:
    """A mapping of strings to strings from section `key` of file `name`."""
    value = _section(name, key)
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise RefDataError(f"{DATA_DIR / name}.yml: {key!r} must map strings to strings")
    return dict(value)


def list_map(name: str, key: str) -> dict[str, list[str]]:
    """A mapping of strings to lists of strings from section `key` of file `name`."""
    value = _section(name, key)
    if not isinstance(value, dict):
        raise RefDataError(f"{DATA_DIR / name}.yml: {key!r} must be a mapping")
    result: dict[str, list[str]] = {}
    for k, v in value.items():
        if not isinstance(k, str) or not isinstance(v, list):
            raise RefDataError(f"{DATA_DIR / name}.yml: {key!r}/{k!r} must be a list")
        if not all(isinstance(item, str) for item in v):
            raise RefDataError(f"{DATA_DIR / name}.yml: {key!r}/{k!r} must hold strings")
        result[k] = list(v)
    return result


def pair_list(name: str, key: str) -> list[tuple[str, str]]:
    """A list of [pattern, replacement] string pairs from section `key` of file `name`."""
    value = _section(name, key)
    pairs: list[tuple[str, str]] = []
    for item in value if isinstance(value, list) else [None]:
        if not (
            isinstance(item, list) and len(item) == 2 and all(isinstance(x, str) for x in item)
        ):
            raise RefDataError(f"{DATA_DIR / name}.yml: {key!r} must hold [string, string] pairs")
        pairs.append((item[0], item[1]))
    return pairs
