"""`screening screen INPUT`: batch screening of a transaction file or payment messages."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
import duckdb

from screening.algorithms import ALGORITHMS
from screening.cli.common import db_from, open_store, print_json
from screening.inputs import FORMATS, InputFormatError


def _failure(exc: BaseException) -> str:
    notes = " ".join(getattr(exc, "__notes__", []))
    return f"{exc} {notes}".strip()


def print_summary(summary: dict[str, Any], output: Path | None) -> None:
    """The end-of-batch summary for people (the same fields as --json)."""
    echo = click.echo
    echo(
        f"Batch {summary['batch_id']} ({summary['source_name']}, {summary['format']}): "
        f"{summary['status']} in {summary['seconds']:.1f} s"
    )
    echo(
        f"  records read      {summary['records_read']:>10,}  "
        f"({summary['records_screened']:,} screened, {summary['records_rejected']:,} rejected)"
    )
    for rejection in summary["rejections"][:5]:
        field = f"{rejection['field']}: " if rejection["field"] else ""
        echo(f"    rejected record {rejection['position']}: {field}{rejection['reason']}")
    if summary["records_rejected"] > len(summary["rejections"][:5]):
        echo("    ... (every rejection is stored with the batch)")
    echo(f"  parties           {summary['parties']:>10,}")
    echo(f"  unique names      {summary['unique_names']:>10,}")
    echo(f"  alerts            {summary['alerts']:>10,}  ({summary['suppressed']:,} suppressed)")
    for list_id, count in summary["alerts_per_list"].items():
        echo(f"    {list_id:<24} {count:>8,}")
    lists = ", ".join(f"{s['list_id']} v{s['version']}" for s in summary["snapshots"])
    echo(
        f"  lists: {lists or 'none'}; algorithm {summary['algorithm']} "
        f"{summary['algorithm_version']}, threshold {summary['threshold']:.2f}"
    )
    for warning in summary["warnings"]:
        echo(f"  warning: {warning}")
    if output is not None:
        echo(f"  alerts written to {output}")


@click.command("screen")
@click.argument("input_path", metavar="INPUT", type=click.Path(exists=True, dir_okay=False,
                                                                path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Input format (default: detected from the file).")
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="YAML column mapping for tabular files (their header: ours).")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the alerts to a .csv, .parquet or .json file.")
@click.option("--threshold", type=float, default=None, help="Default: the algorithm's.")
@click.option("--algorithm", type=click.Choice(sorted(ALGORITHMS)), default=None)
@click.option("--chunk-rows", type=int, default=250_000, show_default=True, hidden=True)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_context
def screen(
    ctx: click.Context, input_path: Path, fmt: str | None, mapping: Path | None,
    output: Path | None, threshold: float | None, algorithm: str | None, chunk_rows: int,
    as_json: bool,
) -> None:
    """Screen every party of a batch file (CSV, Parquet, JSONL, pacs.008, pain.001, MT103,
    goAML) against the current lists, store the alerts and print a summary."""
    from screening.batch import screen_file
    from screening.results import export_alerts, recover_interrupted

    if output is not None and output.suffix.lower() not in (".csv", ".parquet", ".json"):
        raise click.BadParameter("use a .csv, .parquet or .json file", param_hint="--output")
    db = db_from(ctx)
    with open_store(ctx) as store:
        recover_interrupted(store.con)
        if not store.current_snapshots():
            raise click.ClickException("the store has no lists; run `screening lists load` first")
    try:
        if sys.stdout.isatty() and not as_json:
            with click.progressbar(length=1, label="Screening", show_pos=True) as bar:

                def advance(done: int, total: int) -> None:
                    bar.length = total
                    bar.update(done - bar.pos)

                summary = screen_file(
                    db, input_path, format=fmt, mapping=mapping, threshold=threshold,
                    algorithm=algorithm, progress=advance, chunk_rows=chunk_rows,
                )
        else:
            summary = screen_file(
                db, input_path, format=fmt, mapping=mapping, threshold=threshold,
                algorithm=algorithm, chunk_rows=chunk_rows,
            )
    except InputFormatError as exc:
        raise click.ClickException(f"cannot read the input: {_failure(exc)}") from exc
    except ValueError as exc:  # a bad column mapping
        raise click.ClickException(_failure(exc)) from exc
    if output is not None:
        con = duckdb.connect(str(db))
        try:
            export_alerts(con, summary.batch_id, output)
        finally:
            con.close()
    data = summary.to_dict()
    data["output"] = str(output) if output is not None else None
    if as_json:
        print_json(data)
    else:
        print_summary(data, output)
