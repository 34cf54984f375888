"""Batch jobs: an upload is queued at once and screened by a small pool of worker threads.

The batch row is created ('queued') before the request returns, so the caller can poll it;
a worker then runs ``screening.batch.screen_file`` under that id (which marks it running,
done or failed; it also keeps the batch's parties for re-screening). The
uploaded file is deleted when the job ends. A crash leaves 'running' rows that
``recover_interrupted`` marks failed at the next start.
"""

from __future__ import annotations

import logging
import shutil
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import polars as pl
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from api.db import Database
from api.errors import Invalid
from api.validate import Field, check_object
from screening import results
from screening.batch import screen_file
from screening.inputs import detect_format
from screening.inputs.tabular import ALL_COLUMNS
from screening.review.audit import record
from screening.review.db import in_transaction

log = logging.getLogger(__name__)
MAX_RECORDS = 100_000
RECORDS_BODY = {
    "records": Field((list,), required=True, help="canonical batch rows (docs/batch_format.md)"),
    "threshold": Field((float,)),
}


class BatchJobs:
    """Queues uploaded files and screens them in at most ``workers`` threads."""

    def __init__(self, db: Database, upload_dir: Path, workers: int = 2) -> None:
        self.db = db
        self.upload_dir = upload_dir
        self.executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="batch")
        self.futures: dict[str, Future[None]] = {}

    def new_folder(self) -> Path:
        folder = self.upload_dir / uuid.uuid4().hex
        folder.mkdir(parents=True)
        return folder

    def submit(self, batch_id: str, path: Path, threshold: float | None, actor: str) -> None:
        future = self.executor.submit(self._run, batch_id, path, threshold, actor)
        self.futures[batch_id] = future
        # Forget finished jobs so a long-running server does not keep every future.
        future.add_done_callback(lambda _done: self.futures.pop(batch_id, None))

    def _run(self, batch_id: str, path: Path, threshold: float | None, actor: str) -> None:
        try:
            screen_file(self.db.path, path, batch_id=batch_id, threshold=threshold,
                        created_by=actor)
        except Exception:  # screen_file has recorded the batch as failed with the error
            log.exception("batch %s failed", batch_id)
        finally:
            shutil.rmtree(path.parent, ignore_errors=True)

    def wait(self, batch_id: str, timeout: float | None = None) -> None:
        """Block until a submitted batch has finished (tests and the CLI)."""
        future = self.futures.get(batch_id)
        if future is not None:
            future.result(timeout)

    def shutdown(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=False)


def save_upload(jobs: BatchJobs, upload: FileStorage) -> Path:
    """The uploaded file saved under a fresh folder (its name made safe)."""
    name = secure_filename(upload.filename or "") or "upload.dat"
    path = jobs.new_folder() / name
    upload.save(path)
    return path


def _cell(value: Any) -> str | None:
    return None if value is None else str(value)


def save_records(jobs: BatchJobs, data: Any) -> tuple[Path, float | None]:
    """JSON records written as a canonical CSV batch; returns the path and the threshold."""
    payload = check_object(data, RECORDS_BODY)
    records = payload["records"]
    problems: list[dict[str, Any]] = []
    if not records or len(records) > MAX_RECORDS:
        problems.append({"field": "records", "problem": f"send 1 to {MAX_RECORDS} records"})
    known = set(ALL_COLUMNS)
    for index, row in enumerate(records[:MAX_RECORDS]):
        if not isinstance(row, dict):
            problems.append({"field": f"records[{index}]", "problem": "not an object"})
            continue
        for key in sorted(set(row) - known):
            problems.append({"field": f"records[{index}].{key}",
                             "problem": "unknown column; see docs/batch_format.md"})
        if any(isinstance(v, dict | list) for v in row.values()):
            problems.append({"field": f"records[{index}]", "problem": "values must be scalars"})
        if len(problems) >= 50:
            break
    if problems:
        raise Invalid(f"the records have {len(problems)} problem(s) (first 50 listed)", problems)
    columns = [c for c in ALL_COLUMNS if any(c in r for r in records)]
    frame = pl.DataFrame(
        {c: [_cell(r.get(c)) for r in records] for c in columns},
        schema={c: pl.Utf8 for c in columns},
    )
    path = jobs.new_folder() / "records.csv"
    frame.write_csv(path)
    threshold = payload.get("threshold")
    return path, None if threshold is None else float(threshold)


def queue_batch(db: Database, jobs: BatchJobs, path: Path, source_name: str,
                threshold: float | None, actor: str) -> str:
    """Check the file's format, create the queued batch (audited), start the job."""
    try:
        fmt = detect_format(path)
    except Exception:
        shutil.rmtree(path.parent, ignore_errors=True)
        raise
    con = db.cursor()
    try:
        with db.write_lock:
            def work() -> str:
                batch_id = results.create_batch(con, source_name=source_name, created_by=actor,
                                                status="queued", format=fmt)
                record(con, actor, "batch.upload", f"batch:{batch_id}", None,
                       {"source_name": source_name, "format": fmt,
                        "bytes": path.stat().st_size, "threshold": threshold})
                return batch_id

            batch_id = in_transaction(con, work)
    finally:
        con.close()
    jobs.submit(batch_id, path, threshold, actor)
    return batch_id


def recover_batches(db: Database) -> list[str]:
    """At start-up: batches left running or queued by a stopped process become 'failed'."""
    con = db.cursor()
    try:
        failed = results.recover_interrupted(con)
        rows = con.execute(
            "UPDATE batches SET status = 'failed', error = ?, finished_at = now() "
            "WHERE status = 'queued' RETURNING batch_id", [results.INTERRUPTED],
        ).fetchall()
    finally:
        con.close()
    return sorted([*failed, *(str(r[0]) for r in rows)])
