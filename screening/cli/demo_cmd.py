"""`screening demo`: the main job on a fresh machine.

Builds the store from the official lists — from the configured local folder when there is one,
otherwise downloaded from the official URLs, otherwise from a small sample list written for the
demo (and labelled as such) — then shows what was loaded, matches sample queries, and screens a
generated sample batch of payments (with a few listed names planted under spelling variations)
end to end, printing the batch summary and the first alerts.
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

import click
import polars as pl

from lists.errors import ListError
from lists.ingest import LoadReport, load_paths
from lists.sources import SOURCES
from lists.store import ListStore
from lists.update import update_source
from screening import settings
from screening.cli.common import db_from, open_store, print_table

SAMPLE_LIST = Path(__file__).resolve().parent.parent.parent / "lists" / "data" / "sample"


def load_local(store: ListStore, folder: Path) -> list[LoadReport]:
    reports: list[LoadReport] = []
    for source in SOURCES:
        paths = [p for p in source.local_paths(folder) if p.exists()]
        if not paths:
            click.echo(f"  {source.list_id}: no local copy in {folder}", err=True)
            continue
        try:
            reports.extend(load_paths(store, paths, None, source.list_id))
        except ListError as exc:
            click.echo(f"  {source.list_id}: could not load the local copy: {exc}", err=True)
    return reports


def download_all(store: ListStore) -> int:
    loaded = 0
    for source in SOURCES:
        if not source.url:
            continue
        result = update_source(store, source)
        click.echo(f"  {source.list_id}: {result.status} ({result.detail})")
        loaded += result.status in ("updated", "unchanged")
    return loaded


def build_store(store: ListStore) -> str:
    """Fill the store from the best available origin; returns which origin was used."""
    folder = settings.shared_data_dir()
    if folder.is_dir():
        click.echo(f"Loading the official lists from the local folder {folder} ...")
        if load_local(store, folder):
            return f"local folder {folder}"
    click.echo("No local folder of lists; downloading the official lists ...")
    if download_all(store):
        return "official download URLs"
    click.echo(
        "Neither a local folder nor the official downloads worked: falling back to the SAMPLE "
        "list written for this demo (fictional names, NOT an official list)."
    )
    load_paths(store, [SAMPLE_LIST])
    return "demo sample list (not an official list)"


# Queries with the spelling, order, script and title variations real payments carry.
DEMO_QUERIES = (
    ("Usama bin Ladin", "Person"),
    ("AL ZAWAHIRI, Dr. Ayman", "Person"),
    ("أيمن الظواهري", "Person"),
    ("Hizbullah", "Organization"),
    ("Jane Ordinary Citizen", "Person"),
)


def show_matches(db: Path) -> None:
    """Screen a few sample queries and print the best hit of each with its explanation."""
    from screening.api import open_screener

    click.echo("\nBuilding the screening index and matching sample queries ...")
    screener = open_screener(db)
    for query, schema in DEMO_QUERIES:
        hits = screener.match(query, limit=1, schema=schema)
        if not hits:
            click.echo(f"\n  {query!r}: no hit at threshold {screener.default_threshold:.2f}")
            continue
        hit = hits[0]
        click.echo(f"\n  {query!r} -> {hit.caption} ({hit.list_id}) score {hit.score:.2f}")
        click.echo(f"    {hit.explanation}")


# Counterparties of the sample batch: invented names, repeated as real payment flows repeat them.
_FIRST = ("Jean", "Maria", "Pieter", "Fatima", "Lucas", "Sofia", "Ahmed", "Elena", "Tom",
          "Nadia", "Karim", "Anna", "Jonas", "Leila", "Marc", "Ines")
_LAST = ("Dupont", "Garcia", "de Vries", "Benali", "Peeters", "Rossi", "Janssens", "Haddad",
         "Novak", "Martin", "Claes", "Moreau", "Weber", "Silva", "Maes", "Laurent")
_COMPANIES = ("Nordic Textiles NV", "Atlas Logistics SA", "Cedar Foods BV", "Orion Consulting SPRL",
              "Blue Harbor Shipping Ltd", "Meridian Pharma GmbH", "Golden Oasis Trading LLC")
_TEXTS = ("Invoice {n} consulting services", "Rent {m}", "Salary {m}", "Order {n}",
          "School fees", "Family support")
_MONTHS = ("January", "February", "March", "April", "May", "June")
SAMPLE_ROWS = 2000
SAMPLE_PLANTED = 20


def _variant(name: str, rng: random.Random) -> str:
    """A listed name as payments write it: case, inverted order, a lost hyphen or a typo."""
    words = name.split()
    choice = rng.randrange(4)
    if choice == 0 and len(words) > 1 and "," not in name:
        return f"{words[-1].upper()}, {' '.join(words[:-1])}"
    if choice == 1:
        return name.replace("-", " ").title()
    if choice == 2 and len(name) > 6:
        i = rng.randrange(2, len(name) - 2)
        if name[i].isalpha() and name[i + 1].isalpha():
            return name[:i] + name[i + 1] + name[i] + name[i + 2:]
    return name.upper()


def sample_batch(db: Path, folder: Path, rows: int = SAMPLE_ROWS,
                 planted: int = SAMPLE_PLANTED, seed: int = 7) -> tuple[Path, list[str]]:
    """A canonical CSV of ``rows`` payments with ``planted`` listed names; returns its path and
    the planted names as written in it (varied)."""
    from screening.api import open_screener

    rng = random.Random(seed)  # noqa: S311 - reproducible sample data, not security
    names = open_screener(db).index.names.filter(
        pl.col("kind").is_in(["primary", "alias"])
        & pl.col("schema").is_in(["Person", "Organization"])
        & pl.col("name").str.contains(r"^[\p{Latin}\s'.,-]{8,40}$")
        & (pl.col("tokens").list.len() >= 2)
    ).unique("entity_id", keep="first", maintain_order=True)
    chosen = names.sample(min(planted, names.height), seed=seed)["name"].to_list()
    people = [f"{f} {last}" for f in _FIRST for last in _LAST] + list(_COMPANIES)
    weights = [1.0 / (i + 1) for i in range(len(people))]  # a few counterparties dominate
    # Party slot 2i is row i's originator, 2i+1 its beneficiary.
    slots = sorted(rng.sample(range(rows * 2), len(chosen)))
    plant = {slot: _variant(name, rng) for slot, name in zip(slots, chosen, strict=True)}
    records = []
    for i in range(rows):
        originator, beneficiary = rng.choices(people, weights, k=2)
        originator = plant.get(2 * i, originator)
        beneficiary = plant.get(2 * i + 1, beneficiary)
        text = rng.choice(_TEXTS).format(n=rng.randrange(1000, 9999), m=rng.choice(_MONTHS))
        records.append((f"DEMO{i + 1:06d}", f"{rng.lognormvariate(6, 1.2):.2f}", "EUR",
                        originator, beneficiary, text))
    path = folder / "sample_batch.csv"
    pl.DataFrame(
        records, orient="row",
        schema=["transaction_id", "amount", "currency", "originator_name", "beneficiary_name",
                "remittance_info"],
    ).write_csv(path)
    return path, list(plant.values())


def show_batch(db: Path) -> None:
    """Generate a sample batch, screen it end to end and print the summary and first alerts."""
    import duckdb

    from screening.batch import screen_file
    from screening.cli.screen_cmd import print_summary
    from screening.results import alerts_frame

    with tempfile.TemporaryDirectory(prefix="screening_demo_") as tmp:
        path, planted = sample_batch(db, Path(tmp))
        click.echo(
            f"\nScreening a generated sample batch: {SAMPLE_ROWS} payments with {len(planted)} "
            "listed names planted under spelling variations ..."
        )
        summary = screen_file(db, path, created_by="demo")
    print_summary(summary.to_dict(), None)
    con = duckdb.connect(str(db))
    try:
        alerts = alerts_frame(con, summary.batch_id)
    finally:
        con.close()
    found = alerts.filter(pl.col("party_name").is_in(planted))["party_name"].n_unique()
    others = alerts.filter(~pl.col("party_name").is_in(planted))
    # The sample's counterparties recur from payment to payment, as real flows do: one
    # ordinary name hitting one list entry is alerted on every payment that carries it, so
    # the distinct (name, list entry) pairs say how many false matches the rules make.
    pairs = others.select("party_name", "list_id", "entity_id").unique().height
    click.echo(
        f"\nPlanted names alerted: {found} of {len(planted)}. Other alerts: {others.height} on "
        f"{others['party_name'].n_unique()} ordinary names (false positives for the analysts): "
        f"{pairs} distinct pairs of an ordinary name and a list entry, repeated on every "
        "payment that carries the name."
    )
    # The strongest alert of each party first: what an analyst would open first.
    strongest = alerts.sort("score", descending=True).unique("party_name", maintain_order=True)
    click.echo("\nStrongest alerts (party -> list entry, score, reason):")
    for alert in strongest.head(10).iter_rows(named=True):
        reason = " ".join(str(alert["explanation"]).split())
        click.echo(
            f"  #{alert['source_position']} {alert['role']} {alert['party_name']!r} -> "
            f"{alert['entity_caption']} ({alert['list_id']} {alert['entity_id']}) "
            f"score {alert['score']:.2f}"
        )
        click.echo(f"      {reason[:160]}{'...' if len(reason) > 160 else ''}")


@click.command()
@click.pass_context
def demo(ctx: click.Context) -> None:
    """Build a store from the official lists, show what was loaded, match sample queries and
    screen a generated sample batch of payments."""
    with open_store(ctx) as store:
        origin = build_store(store)
        snaps = store.current_snapshots()
    click.echo(f"\nLists in the store (from the {origin}):")
    print_table(
        ["list", "version", "format", "entities", "names", "published"],
        [
            (s.list_id, s.version, s.format, s.entity_count, s.name_count, s.published)
            for s in snaps
        ],
    )
    click.echo(
        f"\n{sum(s.entity_count for s in snaps)} entities and "
        f"{sum(s.name_count for s in snaps)} names in {len(snaps)} lists."
    )
    show_matches(db_from(ctx))
    show_batch(db_from(ctx))
