"""Every setting is documented in the README's settings table."""

from __future__ import annotations

import re

import pytest

from screening import settings
from tests.conftest import REPO_ROOT


def test_every_setting_is_documented() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `(SCREENING_[A-Z_<>]+)` \|", readme, flags=re.M))
    assert documented == {s.name for s in settings.SETTINGS}


def test_environment_overrides_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCREENING_DB", "/tmp/other.duckdb")
    monkeypatch.setenv("SCREENING_SOURCE_UN_SC_URL", "http://127.0.0.1:9/un.xml")
    assert str(settings.db_path()) == "/tmp/other.duckdb"
    assert settings.source_url_override("un_sc") == "http://127.0.0.1:9/un.xml"
    monkeypatch.delenv("SCREENING_DB")
    assert str(settings.db_path()) == "screening.duckdb"
