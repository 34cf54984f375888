"""Every setting read from the environment, in one typed place.

Each setting has a name, a default and a line of help in SETTINGS; a test fails when a setting is
read but not documented in the README table.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "SCREENING_DB", "screening.duckdb", "DuckDB file of the store (lists, screenings, reviews)."
    ),
    Setting(
        "SCREENING_SHARED_DATA",
        "../shared/data",
        "Local folder of official list files used by the demo, tests and benchmarks.",
    ),
    Setting(
        "SCREENING_SOURCE_<LIST_ID>_URL",
        "(official URL)",
        "Overrides the download URL of one list, e.g. SCREENING_SOURCE_UN_SC_URL.",
    ),
    Setting("SCREENING_DOWNLOAD_TIMEOUT", "60", "Seconds before a list download is abandoned."),
    Setting(
        "SCREENING_DOWNLOAD_MAX_BYTES",
        str(1024 * 1024 * 1024),
        "Largest list download accepted, in bytes.",
    ),
    Setting(
        "SCREENING_MIN_COUNT_RATIO",
        "0.5",
        "A download with fewer entities than this share of the current snapshot is refused.",
    ),
    Setting(
        "SCREENING_FOUR_EYES_SCORE",
        "0.9",
        "A false positive on an alert scoring at or above this needs a supervisor's approval.",
    ),
    Setting(
        "SCREENING_AUDIT_RETENTION_YEARS",
        "10",
        "Years audit entries are kept before purge_expired may remove them.",
    ),
    Setting(
        "SCREENING_SECRET_KEY",
        "",
        "Key signing the analyst pages' session cookies; empty means random per process.",
    ),
    Setting(
        "SCREENING_MAX_UPLOAD_MB",
        "200",
        "Largest request body (batch upload) the API accepts, in megabytes.",
    ),
)


def _get(name: str) -> str:
    for setting in SETTINGS:
        if setting.name == name:
            return os.environ.get(name) or setting.default
    raise KeyError(f"undocumented setting {name}")


def db_path() -> Path:
    return Path(_get("SCREENING_DB"))


def shared_data_dir() -> Path:
    return Path(_get("SCREENING_SHARED_DATA"))


def source_url_override(list_id: str) -> str | None:
    return os.environ.get(f"SCREENING_SOURCE_{list_id.upper()}_URL") or None


def download_timeout() -> float:
    return float(_get("SCREENING_DOWNLOAD_TIMEOUT"))


def download_max_bytes() -> int:
    return int(_get("SCREENING_DOWNLOAD_MAX_BYTES"))


def min_count_ratio() -> float:
    return float(_get("SCREENING_MIN_COUNT_RATIO"))


def four_eyes_score() -> float:
    return float(_get("SCREENING_FOUR_EYES_SCORE"))


def audit_retention_years() -> int:
    return int(_get("SCREENING_AUDIT_RETENTION_YEARS"))


def secret_key() -> str:
    """The session signing key; empty when not configured (the app then makes a random one)."""
    return os.environ.get("SCREENING_SECRET_KEY", "")


def max_upload_mb() -> int:
    return int(_get("SCREENING_MAX_UPLOAD_MB"))
