"""Fixtures shared by every test package."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


def shared_data_dir() -> Path:
    """The folder of real list files (SCREENING_SHARED_DATA, default ../shared/data)."""
    configured = os.environ.get("SCREENING_SHARED_DATA")
    path = Path(configured) if configured else REPO_ROOT.parent / "shared" / "data"
    if not (path / "MANIFEST.md").is_file():
        raise RuntimeError(f"shared data folder not found at {path}; set SCREENING_SHARED_DATA")
    return path


@pytest.fixture(scope="session")
def shared_data() -> Path:
    return shared_data_dir()
