"""Assertions shared by the input parser tests."""

from __future__ import annotations

from typing import Any

import polars as pl

from screening.inputs.parties import PARTY_COLUMNS, ParseResult


def rows(result: ParseResult, *columns: str) -> list[tuple[Any, ...]]:
    """Rows of the parties frame in record order (chosen columns), for exact comparison."""
    frame = result.parties.sort("source_position", maintain_order=True)
    return list(frame.select(columns or PARTY_COLUMNS).iter_rows())


def assert_reconciled(result: ParseResult) -> None:
    """Every record is either in the frame or rejected, never both, never lost."""
    assert result.parties.columns == PARTY_COLUMNS
    assert result.parties.schema["source_position"] == pl.Int64
    kept = set(result.parties.get_column("source_position").to_list())
    rejected = [r.position for r in result.rejections]
    assert len(rejected) == len(set(rejected))
    assert not kept & set(rejected)
    assert result.records_read == len(kept) + len(rejected)
    assert set(result.parties.get_column("role").unique().to_list()) <= {
        "originator", "beneficiary", "ultimate_originator", "ultimate_beneficiary",
        "initiating_party", "ordering_bank", "beneficiary_bank", "intermediary_bank",
        "account_holder", "signatory", "director", "party", "free_text",
    }
    assert len(result.sha256) == 64
