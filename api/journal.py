"""The journal of screening records not yet committed to the store.

A ``POST /v1/screen`` answer waits for its record to be appended here (one ``write`` to a file
beside the store), not for a DuckDB commit: a commit costs 1-8 ms of disk sync on a shared
machine, with spikes of 30-50 ms, which alone would break the latency goal. The record is then
in the operating system's hands: a crash or kill of the server loses nothing, because the
next start replays every journal segment into the store (``ScreeningRecorder``). Only a crash of
the machine itself before the writer's commit (at most about half a second on) could lose them.

Records go to numbered segments (``<store>.screenings.<n>.jsonl``). The writer closes the
current segment when it takes a group, commits the group, then deletes the segment, so a
segment on disk always holds records that may be missing from the store. One line per record;
a torn last line (the process died inside ``write``) belongs to a request never answered.
"""

from __future__ import annotations

import json
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SEGMENT = re.compile(r"\.screenings\.(\d+)\.jsonl$")


@dataclass(frozen=True, slots=True)
class Leftovers:
    """What earlier runs left in the journal: their segment files and complete records."""

    segments: list[Path]
    records: list[dict[str, Any]]
    torn_lines: int


class Journal:
    """Append-only segments beside the store; ``append`` is safe from any thread."""

    def __init__(self, store: Path) -> None:
        self._stem = store.name + ".screenings"
        self._folder = store.parent
        self._lock = threading.Lock()
        numbers = [_number(p) for p in self._existing()]
        self._number = max(numbers, default=0) + 1
        self._fd = self._open(self._number)

    def leftovers(self) -> Leftovers:
        """Records of the segments written before this journal was opened."""
        segments = [p for p in self._existing() if _number(p) < self._number]
        records: list[dict[str, Any]] = []
        torn = 0
        for segment in segments:
            for line in segment.read_bytes().split(b"\n"):
                if not line:
                    continue
                try:
                    records.append(json.loads(line))
                except ValueError:
                    torn += 1
        return Leftovers(segments, records, torn)

    def append(self, record: dict[str, Any]) -> None:
        self.append_line((json.dumps(record, separators=(",", ":")) + "\n").encode())

    def append_line(self, line: bytes) -> None:
        """One record already encoded: a JSON object and a newline."""
        with self._lock:
            os.write(self._fd, line)

    def rotate(self) -> Path:
        """Close the current segment and start the next; returns the closed one's path."""
        with self._lock:
            closed, self._number = self._number, self._number + 1
            old, self._fd = self._fd, self._open(self._number)
        os.close(old)
        return self._path(closed)

    def close(self) -> None:
        """Close the current segment and delete it when nothing was written to it."""
        with self._lock:
            empty = os.fstat(self._fd).st_size == 0
            os.close(self._fd)
        if empty:
            self._path(self._number).unlink(missing_ok=True)

    def _existing(self) -> list[Path]:
        found = [p for p in self._folder.glob(self._stem + ".*.jsonl") if _SEGMENT.search(p.name)]
        return sorted(found, key=_number)

    def _path(self, number: int) -> Path:
        return self._folder / f"{self._stem}.{number}.jsonl"

    def _open(self, number: int) -> int:
        return os.open(self._path(number), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)


def _number(path: Path) -> int:
    found = _SEGMENT.search(path.name)
    assert found is not None
    return int(found.group(1))
