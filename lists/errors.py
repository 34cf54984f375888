"""Errors raised while reading list files."""

from __future__ import annotations

from pathlib import Path


class ListError(Exception):
    """Base class for every list-handling error shown to operators."""


class ListFormatError(ListError):
    """A list file that cannot be read; names the file and the record or line at fault."""

    def __init__(self, path: Path | str, message: str, record: str | int | None = None) -> None:
        self.path = str(path)
        self.record = record
        self.detail = message
        where = f" (record {record})" if record is not None else ""
        super().__init__(f"{self.path}{where}: {message}")


class UnknownFormatError(ListError):
    """No loader recognises the file."""


class DuplicateEntityError(ListError):
    """A list file that gives the same entity id twice."""
