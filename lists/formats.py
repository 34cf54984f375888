"""The shape every list format module exposes, so the registry can sniff and load any file."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from lists.errors import ListFormatError
from lists.model import ParsedList

Loader = Callable[[Sequence[Path], str | None], ParsedList]
Sniffer = Callable[[Path, bytes], bool]


@dataclass(frozen=True, slots=True)
class FormatSpec:
    """One list format: how to recognise a file of it and how to load it.

    ``sniff`` gets the path and the first 64 KiB of the file. ``load`` gets every file of one
    list (several for multi-file formats such as the OFAC CSV set) and an optional list id
    overriding ``default_list_id``. ``multi_file`` formats group files of one folder together.
    """

    name: str
    title: str
    default_list_id: str
    sniff: Sniffer
    load: Loader
    multi_file: bool = False


def one_file(paths: Sequence[Path], message: str) -> Path:
    """The only path of a one-file format; a ListFormatError saying ``message`` otherwise."""
    if len(paths) != 1:
        raise ListFormatError(", ".join(map(str, paths)) or "<no file>", message)
    return paths[0]
