"""Downloading official lists and accepting them only when they are complete and plausible.

A download is written to a temporary file, parsed completely with the loader of its format and
compared with the current snapshot; only then does it become current. Any failure leaves the
current snapshot in place and says why.
"""

from __future__ import annotations

import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from lists.errors import ListError
from lists.ingest import store_parsed
from lists.registry import get_format
from lists.sources import Source
from lists.store import ListStore
from screening import settings

_HTML_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body")


class DownloadRefusedError(ListError):
    """A download that must not replace the current snapshot."""


@dataclass(frozen=True, slots=True)
class UpdateResult:
    list_id: str
    status: str  # "updated", "unchanged" or "refused"
    detail: str
    version: int | None = None
    entities: int | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "list_id": self.list_id,
            "status": self.status,
            "detail": self.detail,
            "version": self.version,
            "entities": self.entities,
        }


def download(url: str, target: Path) -> int:
    """Fetch ``url`` into ``target`` within the size and time limits; returns the byte count."""
    scheme = urlparse(url).scheme
    if scheme not in ("http", "https"):
        raise DownloadRefusedError(f"{url}: only http and https downloads are allowed")
    limit = settings.download_max_bytes()
    request = urllib.request.Request(url, headers={"User-Agent": "tf-screening list updater"})  # noqa: S310 - scheme checked above
    try:
        with urllib.request.urlopen(request, timeout=settings.download_timeout()) as response:  # noqa: S310
            expected = response.headers.get("Content-Length")
            size = 0
            with target.open("wb") as out:
                while chunk := response.read(1 << 20):
                    size += len(chunk)
                    if size > limit:
                        raise DownloadRefusedError(f"{url}: larger than the {limit}-byte limit")
                    out.write(chunk)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise DownloadRefusedError(f"{url}: download failed: {exc}") from exc
    if expected is not None and expected.isdigit() and int(expected) != size:
        raise DownloadRefusedError(f"{url}: truncated download ({size} of {expected} bytes)")
    return size


def check_not_error_page(path: Path, url: str) -> None:
    head = path.read_bytes()[:2048].lstrip().lower()
    if not head:
        raise DownloadRefusedError(f"{url}: the server sent an empty file")
    if head.startswith(_HTML_MARKERS) or b"<html" in head[:512]:
        raise DownloadRefusedError(f"{url}: the server sent an HTML page, not a list file")


def check_plausible(store: ListStore, list_id: str, count: int) -> None:
    current = store.current(list_id)
    if count == 0:
        raise DownloadRefusedError(f"{list_id}: the downloaded list has no entities")
    if current is None:
        return
    ratio = settings.min_count_ratio()
    if count < current.entity_count * ratio:
        raise DownloadRefusedError(
            f"{list_id}: {count} entities against {current.entity_count} in the current "
            f"snapshot (below the {ratio:.0%} plausibility limit); kept version {current.version}"
        )


def update_source(store: ListStore, source: Source) -> UpdateResult:
    """Download one list and make it current when it validates; never raises for bad data."""
    url = source.effective_url
    if not url:
        return UpdateResult(source.list_id, "refused", "no download URL is configured")
    spec = get_format(source.format)
    with tempfile.TemporaryDirectory(prefix="screening-download-") as tmp:
        name = Path(urlparse(url).path).name or f"{source.list_id}.dat"
        target = Path(tmp) / name
        try:
            download(url, target)
            check_not_error_page(target, url)
            parsed = spec.load([target], source.list_id)
            check_plausible(store, source.list_id, len(parsed.entities))
            report = store_parsed(store, parsed, [target], source=url)
        except (ListError, ValueError, UnicodeError) as exc:
            return UpdateResult(source.list_id, "refused", str(exc))
    status = "updated" if report.created else "unchanged"
    return UpdateResult(
        source.list_id, status, f"version {report.version}", report.version, report.entities
    )
