"""Fixtures for the input parser tests."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixtures() -> Path:
    """Hand-written sample files of every input format."""
    return FIXTURES
