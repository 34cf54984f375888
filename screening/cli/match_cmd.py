"""`screening match NAME`: one query against the current lists, best hits with explanations."""

from __future__ import annotations

from typing import Any

import click

from screening.algorithms import ALGORITHMS
from screening.cli.common import db_from, print_json, print_table
from screening.screener import QueryError


@click.command("match")
@click.argument("name")
@click.option(
    "--schema",
    type=click.Choice(["Person", "Organization", "LegalEntity", "Vessel", "Aircraft"]),
    default=None,
    help="The kind of party. Not given: the name is read as a person's and as an organisation's,"
    " and the kind of the list entry is not compared.",
)
@click.option("--birth-date", default=None, help="Date of birth, YYYY, YYYY-MM or YYYY-MM-DD.")
@click.option("--country", default=None, help="Country or nationality (name or ISO code).")
@click.option("--identifier", default=None, help="Passport, IBAN, BIC, IMO or wallet.")
@click.option("--limit", default=5, show_default=True, help="Most hits shown.")
@click.option("--threshold", type=float, default=None, help="Default: the algorithm's.")
@click.option("--algorithm", type=click.Choice(sorted(ALGORITHMS)), default=None)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def match(
    ctx: click.Context, name: str, schema: str | None, birth_date: str | None, country: str | None,
    identifier: str | None, limit: int, threshold: float | None, algorithm: str | None,
    as_json: bool,
) -> None:
    """Screen one name (with optional date of birth, country, identifier)."""
    from screening.api import open_screener

    screener = open_screener(db_from(ctx), algorithm)
    if not screener.index.snapshots:
        raise click.ClickException("the store has no lists; run `screening lists load` first")
    query: dict[str, Any] = {"properties": {"name": [name]}}
    if schema:
        query["schema"] = schema
    for key, value in (("birthDate", birth_date), ("country", country), ("identifier", identifier)):
        if value:
            query["properties"][key] = [value]
    try:
        hits = screener.match(query, limit=limit, threshold=threshold)
    except QueryError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        print_json(
            {
                "query": query,
                "algorithm": screener.algorithm.label,
                "threshold": screener.default_threshold if threshold is None else threshold,
                "snapshots": screener.snapshots,
                "hits": [
                    {
                        "entity_id": h.entity_id, "list_id": h.list_id, "schema": h.schema,
                        "caption": h.caption, "matched_name": h.matched_name,
                        "score": round(h.score, 4), "name_score": round(h.name_score, 4),
                        "match": h.match, "explanation": h.explanation,
                    }
                    for h in hits
                ],
            }
        )
        return
    if not hits:
        click.echo(f"No hits for {name!r} with {screener.algorithm.label}.")
        return
    print_table(
        ["score", "list", "entity", "name matched", "listed as"],
        [(f"{h.score:.2f}", h.list_id, h.entity_id, h.matched_name, h.caption) for h in hits],
    )
    click.echo()
    for hit in hits:
        click.echo(f"- {hit.explanation}\n")
