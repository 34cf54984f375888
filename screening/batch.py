"""Batch screening of a transaction file end to end: parse, screen, store alerts, reconcile.

``screen_file`` streams the input in chunks (``screening.inputs.iter_batches``), so memory
stays bounded by the chunk size plus the distinct names seen so far; the next chunk is parsed
in a thread while the current one is screened (``screening.inputs.read_ahead``). Per chunk:

1. party rows are deduplicated on (name, schema, birth_date, country, nationality, id_number)
   and only names never screened earlier in the batch go to the screener, in one vectorised
   call; the hits are joined back to every party row that carries that name;
2. accounts (IBAN, wallet) and BICs are matched exactly against the listed identifiers (a BIC
   of 8 characters matches every branch of that institution);
3. free-text rows are scanned for listed names inside the text (``screening.freetext``);
4. the best hit per (party row, entity) becomes an alert, stored with the list version,
   algorithm and threshold; rejected records are stored with their reasons;
5. each distinct named party not seen earlier in the batch is kept in ``screened_parties``
   (for re-screening when a list changes), its key hashed in DuckDB.

The batch row is written first ('running'), so a crash leaves a trace; any exception marks
it 'failed' with the error, and ``records_read == records_screened + records_rejected`` is
checked before it may be 'done'.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from screening import freetext, results
from screening.index import clean_identifier
from screening.inputs import ParseResult, detect_format, iter_batches
from screening.inputs.parties import PARTY_COLUMNS
from screening.inputs.read_ahead import read_ahead
from screening.inputs.schema import inferred_schema
from screening.results import BatchCounts, recover_interrupted
from screening.review.rescreen import ensure_screened_parties, record_parties
from screening.review.whitelist import apply_whitelist
from screening.screener import Screener

__all__ = ["BatchSummary", "ReconciliationError", "recover_interrupted", "screen_file"]

Progress = Callable[[int, int], None]
NAME_KEY_COLUMNS = ("name", "schema", "birth_date", "country", "nationality", "id_number")
BANK_ROLES = ("ordering_bank", "beneficiary_bank", "intermediary_bank")
ACCOUNT_KINDS = ("iban", "wallet")
# Hits kept per distinct name: one person is often on many lists (UN, EU, UK, OFAC...).
MAX_HITS = 25
HIT_COLUMNS = (
    "prow", "entity_id", "list_id", "entity_caption", "matched_name", "query_name", "score",
    "name_score", "method", "explanation", "algorithm", "algorithm_version", "threshold",
)
_SEP = "\x1f"
_NULL = "\x00"


class ReconciliationError(RuntimeError):
    """Records read do not equal records screened plus records rejected."""


@dataclass(slots=True)
class BatchSummary:
    batch_id: str
    source_name: str
    status: str
    format: str | None
    sha256: str | None
    records_read: int
    records_screened: int
    records_rejected: int
    parties: int
    unique_names: int
    alerts: int
    suppressed: int
    alerts_per_list: dict[str, int]
    threshold: float | None
    algorithm: str | None
    algorithm_version: str | None
    snapshots: list[dict[str, Any]]
    seconds: float
    rejections: list[dict[str, Any]] = field(default_factory=list)  # the first ones
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# -- the per-chunk screening ---------------------------------------------------------------------


def _name_key() -> pl.Expr:
    return pl.concat_str(
        [pl.col(c).cast(pl.Utf8).fill_null(_NULL) for c in NAME_KEY_COLUMNS], separator=_SEP
    ).alias("key")


def _empty_hits() -> pl.DataFrame:
    floats = ("score", "name_score", "threshold")
    return pl.DataFrame(
        schema={
            c: (pl.Float64 if c in floats else pl.UInt32 if c == "prow" else pl.Utf8)
            for c in HIT_COLUMNS
        }
    )


def _with_inferred_schema(rows: pl.DataFrame) -> pl.DataFrame:
    """Organization for names of unknown schema that carry a legal form ("... LLC", "SAL");
    payment messages often say nothing of the party type (no OrgId/PrvtId, MT103 50K)."""
    return rows.with_columns(inferred_schema(rows["name"], rows["schema"]))


class _BatchScreening:
    """Screens the chunks of one batch; remembers names and texts already screened."""

    def __init__(self, screener: Screener, threshold: float) -> None:
        self.screener = screener
        self.threshold = threshold
        algo = screener.algorithm
        self.algorithm, self.algorithm_version = algo.name, algo.version
        self.seen_names = pl.DataFrame(schema={"key": pl.Utf8})
        self.name_hits = pl.DataFrame()
        self.seen_texts = pl.DataFrame(schema={"scan_text": pl.Utf8})
        self.recorded = pl.DataFrame(schema={"party_key_text": pl.Utf8})
        self.text_hits = pl.DataFrame()
        self.versions = pl.DataFrame(
            [(str(s["list_id"]), int(str(s["version"]))) for s in screener.snapshots],
            schema={"list_id": pl.Utf8, "list_version": pl.Int32}, orient="row",
        )
        self.captions = screener.index.entities.select(
            "entity_id", "list_id", pl.col("caption").alias("entity_caption")
        )

    def record(self, con: duckdb.DuckDBPyConnection, batch_id: str, parties: pl.DataFrame) -> None:
        """Keep every named party, alerted or not, so a list change can re-screen it: each
        distinct party once per batch (the first seen), hashed and stored in one pass."""
        named = parties.filter(
            (pl.col("role") != "free_text") & pl.col("name").is_not_null()
        ).filter(pl.col("name").cast(pl.Utf8).str.strip_chars().str.len_chars() > 0)
        # Exact repeats go first (cheap), then spellings with the same normalised key.
        distinct = named.unique(list(results.PARTY_KEY_FIELDS), keep="first", maintain_order=True)
        fresh = distinct.with_columns(results.party_key_text().alias("party_key_text")).unique(
            "party_key_text", keep="first", maintain_order=True
        ).join(self.recorded, on="party_key_text", how="anti")
        if fresh.height == 0:
            return
        self.recorded = pl.concat([self.recorded, fresh.select("party_key_text")])
        with_party = fresh.with_columns(
            pl.struct(parties.columns).struct.json_encode().alias("party")
        )
        record_parties(
            con, batch_id, results.with_party_keys(con, with_party).drop("party_key_text")
        )

    @property
    def unique_names(self) -> int:
        return self.seen_names.height

    def alerts(self, parties: pl.DataFrame) -> pl.DataFrame:
        """Alert rows (results.ALERT_COLUMNS) of one chunk's parties frame."""
        rows = parties.with_row_index("prow").with_columns(
            pl.when(pl.col("schema").is_null() & pl.col("role").is_in(BANK_ROLES))
            .then(pl.lit("Organization")).otherwise(pl.col("schema")).alias("schema")
        )
        hits = pl.concat(
            [self._names(rows), self._accounts(rows), self._bics(rows), self._texts(rows)],
            how="vertical_relaxed",
        )
        best = hits.sort(["score", "method"], descending=[True, False]).unique(
            ["prow", "entity_id", "list_id"], keep="first"
        )
        joined = best.join(rows, on="prow").join(self.versions, on="list_id", how="left")
        # A free-text or bank row has no name: the text found or the BIC stands for it, in
        # the display name and in the whitelist key.
        joined = joined.with_columns(
            pl.struct(PARTY_COLUMNS).struct.json_encode().alias("party"),
            pl.coalesce("name", "query_name").alias("party_name"),
        ).with_columns(pl.col("party_name").alias("name"))
        return joined.select(
            "source_position", "transaction_id", "role",
            results.party_key_text().alias("party_key_text"), "party_name", "party",
            "entity_id", "list_id", "list_version", "entity_caption", "matched_name", "score",
            "name_score", "explanation", "method", "algorithm", "algorithm_version", "threshold",
        ).sort("source_position", "role", "entity_id")

    def _names(self, rows: pl.DataFrame) -> pl.DataFrame:
        named = rows.filter(
            pl.col("name").is_not_null() & (pl.col("role") != "free_text")
        ).with_columns(_name_key())
        new = (
            named.select("key", *NAME_KEY_COLUMNS).unique("key", maintain_order=True)
            .join(self.seen_names, on="key", how="anti")
        )
        if new.height:
            self.seen_names = pl.concat([self.seen_names, new.select("key")])
            queries = _with_inferred_schema(new).select(
                "name", "schema", "birth_date", "country", "nationality",
                pl.col("id_number").alias("identifier"),
            )
            found = self.screener.screen(queries, threshold=self.threshold, limit=MAX_HITS)
            keyed = found.join(new.select("key").with_row_index("row"), on="row").select(
                "key", "entity_id", "list_id", pl.col("caption").alias("entity_caption"),
                "matched_name", "query_name", "score", "name_score", "method", "explanation",
                "algorithm", "algorithm_version", "threshold",
            )
            self.name_hits = (
                keyed if self.name_hits.width == 0
                else pl.concat([self.name_hits, keyed], how="vertical_relaxed")
            )
        if self.name_hits.width == 0:
            return _empty_hits()
        return named.select("prow", "key").join(self.name_hits, on="key").select(HIT_COLUMNS)

    def _identifier_hits(self, found: pl.DataFrame, label: str) -> pl.DataFrame:
        """Hit rows for exact identifier matches (prow, entity_id, list_id, kind, value)."""
        return found.join(self.captions, on=["entity_id", "list_id"]).select(
            "prow", "entity_id", "list_id", "entity_caption",
            pl.col("entity_caption").alias("matched_name"),
            pl.col("value").alias("query_name"),
            pl.lit(1.0).alias("score"), pl.lit(0.0).alias("name_score"),
            pl.lit("identifier").alias("method"),
            pl.format(
                "The {} {} of this party is listed as the {} {} of {} ({} {}): exact "
                "identifier match, score 1.00.",
                pl.lit(label), "value", pl.col("kind").str.to_uppercase(), "listed",
                "entity_caption", "list_id", "entity_id",
            ).alias("explanation"),
            pl.lit(self.algorithm).alias("algorithm"),
            pl.lit(self.algorithm_version).alias("algorithm_version"),
            pl.lit(self.threshold).alias("threshold"),
        )

    def _accounts(self, rows: pl.DataFrame) -> pl.DataFrame:
        listed = self.screener.index.identifiers.filter(pl.col("kind").is_in(ACCOUNT_KINDS))
        if listed.height == 0:
            return _empty_hits()
        accounts = rows.filter(pl.col("account").is_not_null()).select(
            "prow", pl.col("account").alias("value")
        ).with_columns(clean_identifier(pl.col("value")).alias("clean"))
        found = accounts.join(
            listed.select("kind", pl.col("value").alias("clean"), pl.col("value").alias("listed"),
                          "entity_id", "list_id"),
            on="clean",
        )
        return self._identifier_hits(found, "account")

    def _bics(self, rows: pl.DataFrame) -> pl.DataFrame:
        listed = self.screener.index.identifiers.filter(pl.col("kind") == "bic")
        if listed.height == 0:
            return _empty_hits()
        # BIC11 "XXX" is the head office: the same institution as its BIC8.
        short = pl.col("value").str.replace(r"^(.{8})XXX$", "$1")
        bics = rows.filter(pl.col("bic").is_not_null()).select(
            "prow", pl.col("bic").str.to_uppercase().alias("value")
        ).with_columns(short.alias("q"))
        listed = listed.with_columns(short.alias("l")).select(
            "kind", "l", pl.col("value").alias("listed"), "entity_id", "list_id"
        )
        found = bics.with_columns(pl.col("q").str.slice(0, 8).alias("bic8")).join(
            listed.with_columns(pl.col("l").str.slice(0, 8).alias("bic8")), on="bic8"
        ).filter(
            (pl.col("q") == pl.col("l"))
            | (pl.col("q").str.len_chars() == 8)
            | (pl.col("l").str.len_chars() == 8)
        )
        return self._identifier_hits(found, "BIC")

    def _texts(self, rows: pl.DataFrame) -> pl.DataFrame:
        texts = rows.filter(pl.col("free_text").is_not_null()).select("prow", "free_text")
        # Scanned once per scan text across the batch: lines differing only by their
        # reference numbers are one text (freetext.scan_text).
        scan_texts = texts.select(pl.col("free_text").unique()).with_columns(
            freetext.scan_text(pl.col("free_text")).alias("scan_text")
        )
        new = scan_texts.select(pl.col("scan_text").unique(maintain_order=True)).join(
            self.seen_texts, on="scan_text", how="anti"
        )
        if new.height:
            self.seen_texts = pl.concat([self.seen_texts, new])
            indexed = new.with_row_index("text_id").select(
                pl.col("text_id").cast(pl.Int64), pl.col("scan_text").alias("free_text")
            )
            found = freetext.scan(self.screener, indexed, self.threshold)
            keyed = found.join(indexed, on="text_id").select(
                pl.col("free_text").alias("scan_text"), "entity_id", "list_id",
                pl.col("caption").alias("entity_caption"), "matched_name", "query_name",
                "score", "name_score", pl.lit("free text").alias("method"), "explanation",
                "algorithm", "algorithm_version", "threshold",
            )
            if keyed.height:
                self.text_hits = (
                    keyed if self.text_hits.width == 0
                    else pl.concat([self.text_hits, keyed], how="vertical_relaxed")
                )
        if self.text_hits.width == 0:
            return _empty_hits()
        return texts.join(scan_texts, on="free_text").join(
            self.text_hits, on="scan_text"
        ).select(HIT_COLUMNS)


# -- progress ------------------------------------------------------------------------------------


def estimate_records(path: Path, fmt: str) -> int:
    """A cheap estimate of the records in a file, for progress only (never for counts)."""
    if fmt == "parquet":
        return int(pl.scan_parquet(path).select(pl.len()).collect().item())
    marker = {
        "csv": b"\n", "jsonl": b"\n", "pacs008": b"<CdtTrfTxInf", "pain001": b"<CdtTrfTxInf",
        "mt103": b":20:", "goaml": b"<transaction>",
    }[fmt]
    count = 0
    with path.open("rb") as handle:
        while block := handle.read(1 << 24):
            count += block.count(marker)
    if fmt == "csv":
        count -= 1  # the header line
    return max(count, 1)


# -- the batch -----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Tally:
    read: int = 0
    screened: int = 0
    rejected: int = 0
    parties: int = 0
    alerts: int = 0
    warnings: list[str] = field(default_factory=list)

    def counts(self, unique_names: int) -> BatchCounts:
        return BatchCounts(
            self.read, self.screened, self.rejected, self.parties, unique_names, self.alerts
        )


def _run(
    con: duckdb.DuckDBPyConnection, db: Path | str, batch_id: str, path: Path, *,
    format: str | None, mapping: Mapping[str, str] | str | Path | None,
    threshold: float | None, algorithm: str | None, progress: Progress | None,
    chunk_rows: int,
) -> _Tally:
    from screening.api import open_screener

    fmt = format or detect_format(path)
    screener = open_screener(db, algorithm)
    cutoff = screener.default_threshold if threshold is None else threshold
    results.set_run_info(
        con, batch_id, format=fmt, sha256="", threshold=cutoff,
        algorithm=screener.algorithm.name, algorithm_version=screener.algorithm.version,
        snapshots=screener.snapshots,
    )
    total = estimate_records(path, fmt)
    work = _BatchScreening(screener, cutoff)
    tally = _Tally()
    sha = ""
    # The next chunk is parsed while this one is screened.
    for chunk in read_ahead(iter_batches(path, chunk_rows, format=fmt, mapping=mapping)):
        sha = chunk.sha256
        _screen_chunk(con, batch_id, work, chunk, tally)
        done = tally.read
        results.set_progress(con, batch_id, done / max(total, done, 1),
                             tally.counts(work.unique_names))
        if progress is not None:
            progress(done, max(total, done))
    con.execute("UPDATE batches SET sha256 = ? WHERE batch_id = ?", [sha, batch_id])
    if tally.read != tally.screened + tally.rejected:
        raise ReconciliationError(
            f"reconciliation failed: {tally.read} records read but {tally.screened} screened "
            f"+ {tally.rejected} rejected"
        )
    apply_whitelist(con, batch_id)
    results.finish_batch(con, batch_id, tally.counts(work.unique_names))
    return tally


def _screen_chunk(
    con: duckdb.DuckDBPyConnection, batch_id: str, work: _BatchScreening, chunk: ParseResult,
    tally: _Tally,
) -> None:
    alerts = work.alerts(chunk.parties)
    results.insert_alerts(con, batch_id, alerts)
    work.record(con, batch_id, chunk.parties)
    results.insert_rejections(
        con, batch_id, ((r.position, r.field, r.reason) for r in chunk.rejections)
    )
    tally.read += chunk.records_read
    tally.rejected += len(chunk.rejections)
    tally.screened += chunk.parties.get_column("source_position").n_unique()
    tally.parties += chunk.parties.height
    tally.alerts += alerts.height
    tally.warnings.extend(w for w in chunk.warnings if w not in tally.warnings)


def screen_file(
    db: Path | str,
    path: Path | str,
    *,
    format: str | None = None,
    mapping: Mapping[str, str] | str | Path | None = None,
    threshold: float | None = None,
    algorithm: str | None = None,
    created_by: str = "cli",
    progress: Progress | None = None,
    batch_id: str | None = None,
    chunk_rows: int = 250_000,
) -> BatchSummary:
    """Screen one input file against the current lists of ``db`` and store the batch.

    ``batch_id`` names a batch already queued (by the API); otherwise a new one is created.
    Raises what went wrong (InputFormatError for an unreadable file...) after marking the
    batch 'failed' with the error text.
    """
    path = Path(path)
    started = time.perf_counter()
    con = duckdb.connect(str(db))
    try:
        results.ensure_schema(con)
        ensure_screened_parties(con)
        if batch_id is None:
            recover_interrupted(con)
            batch_id = results.create_batch(
                con, source_name=path.name, created_by=created_by, status="running",
                format=format,
            )
        results.mark_running(con, batch_id)
        try:
            tally = _run(
                con, db, batch_id, path, format=format, mapping=mapping, threshold=threshold,
                algorithm=algorithm, progress=progress, chunk_rows=chunk_rows,
            )
        except BaseException as exc:
            results.fail_batch(con, batch_id, f"{type(exc).__name__}: {exc}")
            exc.add_note(f"(batch {batch_id} recorded as failed)")
            raise
        return summarise(con, batch_id, time.perf_counter() - started, tally.warnings)
    finally:
        con.close()


def summarise(
    con: duckdb.DuckDBPyConnection, batch_id: str, seconds: float,
    warnings: list[str] | None = None,
) -> BatchSummary:
    """The summary of a stored batch (counts, alerts per list, first rejections)."""
    info = results.batch_info(con, batch_id)
    return BatchSummary(
        batch_id=batch_id,
        source_name=str(info["source_name"]),
        status=str(info["status"]),
        format=info["format"],
        sha256=info["sha256"],
        records_read=int(info["records_read"] or 0),
        records_screened=int(info["records_screened"] or 0),
        records_rejected=int(info["records_rejected"] or 0),
        parties=int(info["parties"] or 0),
        unique_names=int(info["unique_names"] or 0),
        alerts=int(info["alerts"] or 0),
        suppressed=int(info["suppressed"]),
        alerts_per_list=dict(info["alerts_per_list"]),
        threshold=info["threshold"],
        algorithm=info["algorithm"],
        algorithm_version=info["algorithm_version"],
        snapshots=list(info["snapshots"]),
        seconds=round(seconds, 3),
        rejections=results.batch_rejections(con, batch_id)[:10],
        warnings=list(warnings or []),
    )
