"""Transaction batches and payment messages turned into one "parties" Polars frame.

``read_batch(path)`` reads a canonical CSV / Parquet / JSON lines batch, ISO 20022 pacs.008 or
pain.001, SWIFT MT103 / MT202 COV, or a goAML report; see docs/batch_format.md.
"""

from screening.inputs.detect import FORMATS, detect_format, iter_batches, read_batch
from screening.inputs.parties import (
    PARTY_COLUMNS,
    PARTY_SCHEMA,
    ROLES,
    InputFormatError,
    ParseResult,
    Rejection,
)

__all__ = [
    "FORMATS",
    "PARTY_COLUMNS",
    "PARTY_SCHEMA",
    "ROLES",
    "InputFormatError",
    "ParseResult",
    "Rejection",
    "detect_format",
    "iter_batches",
    "read_batch",
]
