"""Realistic synthetic transaction batches in every supported input format, with ground truth.

Counterparties are the synthetic persons of ``eval/yente_candidate_generation/
negatives_global.csv`` (made to match no listed entity) plus generated company names; they
repeat with a Zipf-like skew (a few counterparties in many transactions, most in one or two),
as in real payment flows. A known share of party slots is taken by listed names from the store,
exact or under a variation of the quality benchmark (``benchmarks.variations``); each planted
party repeats a few times. Some are planted inside the remittance text instead of a name field.

``ground_truth.csv`` is written beside the batch: source_position, role, entity_id, list_id,
category, planted_name, original_name.

    python -m benchmarks.generate_batches --format csv --rows 1000000 --out DIR --seed 1
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO
from xml.sax.saxutils import escape

import numpy as np
import polars as pl

from benchmarks.common import shared_data_dir
from benchmarks.variations import NAME_VARIATIONS
from lists.countries import to_iso
from lists.store import ListStore

FORMATS = ("csv", "parquet", "jsonl", "pacs008", "pain001", "mt103", "goaml")
SUFFIX = {
    "csv": ".csv",
    "parquet": ".parquet",
    "jsonl": ".jsonl",
    "pacs008": ".xml",
    "pain001": ".xml",
    "mt103": ".txt",
    "goaml": ".xml",
}
NEGATIVES = Path("eval") / "yente_candidate_generation" / "negatives_global.csv"
GROUND_TRUTH_SCHEMA: dict[str, pl.DataType] = {
    "source_position": pl.Int64(),
    "role": pl.String(),
    "entity_id": pl.String(),
    "list_id": pl.String(),
    "category": pl.String(),
    "planted_name": pl.String(),
    "original_name": pl.String(),
}
CANONICAL_COLUMNS = (
    "transaction_id",
    "date",
    "amount",
    "currency",
    "originator_name",
    "originator_type",
    "originator_country",
    "originator_account",
    "originator_bank_bic",
    "originator_birth_date",
    "beneficiary_name",
    "beneficiary_type",
    "beneficiary_country",
    "beneficiary_account",
    "beneficiary_bank_bic",
    "beneficiary_birth_date",
    "remittance_info",
)
# Share of planted occurrences written into the remittance text rather than a name field.
FREE_TEXT_SHARE = 0.1
EXACT_SHARE = 0.3
ZIPF_EXPONENT = 1.1

_BANKS = (
    "GEBABEBB",
    "KREDBEBB",
    "BBRUBEBB",
    "GKCCBEBB",
    "DEUTDEFF",
    "COBADEFF",
    "BNPAFRPP",
    "SOGEFRPP",
    "INGBNL2A",
    "ABNANL2A",
    "RABONL2U",
    "BARCGB22",
    "HBUKGB4B",
    "NWBKGB2L",
    "UBSWCHZH",
    "CRESCHZZ",
    "BSCHESMM",
    "BBVAESMM",
    "UNCRITMM",
    "BCITITMM",
    "CITIUS33",
    "CHASUS33",
    "BOFAUS3N",
    "NBADAEAA",
    "EBILAEAD",
    "QNBAQAQA",
    "SABBSARI",
    "HSBCHKHH",
    "BKCHCNBJ",
    "MHCBJPJT",
)
_IBAN_COUNTRIES = ("BE", "DE", "FR", "NL", "GB", "ES", "IT", "CH", "AE", "QA", "SA")
_COMPANY_WORDS = (
    "Alpha",
    "Nordic",
    "Atlas",
    "Horizon",
    "Cedar",
    "Meridian",
    "Orion",
    "Golden",
    "Blue",
    "Summit",
    "Harbor",
    "Crescent",
    "Falcon",
    "Delta",
    "Pioneer",
    "Silver",
    "Eastern",
    "Western",
    "United",
    "Royal",
    "Oasis",
    "Sahara",
    "Baltic",
    "Iberia",
    "Andes",
    "Lotus",
)
_COMPANY_SECTORS = (
    "Trading",
    "Logistics",
    "Textiles",
    "Engineering",
    "Foods",
    "Consulting",
    "Shipping",
    "Pharma",
    "Electronics",
    "Construction",
    "Import Export",
    "Holdings",
    "Energy",
    "Motors",
    "Software",
    "Agro",
    "Medical Supplies",
    "Furniture",
    "Travel",
    "Metals",
)
_LEGAL_FORMS = ("SA", "NV", "BV", "GmbH", "Ltd", "LLC", "SARL", "SRL", "AG", "PLC", "FZE")
_REMITTANCE = (
    "Invoice {n} consulting services",
    "Rent {month}",
    "Salary {month} {year}",
    "Order {n}",
    "School fees {year}",
    "Payment invoice {n}",
    "Loan repayment {n}",
    "Family support",
    "Goods as per contract {n}",
    "Membership fee {year}",
    "Insurance premium {n}",
    "Refund order {n}",
    "Medical expenses",
    "Transport costs {month}",
)
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_CURRENCIES = ("EUR", "EUR", "EUR", "USD", "USD", "GBP", "CHF", "AED")


# -- counterparties ------------------------------------------------------------------------------


def _iban(rng: np.random.Generator, countries: np.ndarray[Any, Any]) -> list[str]:
    """Fake IBAN-shaped account numbers (country, two digits, 16 digits)."""
    checks = rng.integers(10, 99, size=len(countries))
    bodies = rng.integers(10**15, 10**16 - 1, size=len(countries), dtype=np.int64)
    return [f"{c}{k}{b}" for c, k, b in zip(countries, checks, bodies, strict=True)]


def counterparties(size: int, seed: int, folder: Path | None = None) -> pl.DataFrame:
    """``size`` distinct counterparties: name, type, country, account, bic, birth_date.

    About 70% persons from the negatives file, 30% generated companies.
    """
    rng = np.random.default_rng(seed)
    source = (folder or shared_data_dir()) / NEGATIVES
    people = (
        pl.read_csv(source, infer_schema=False)
        .select("full_name", "date_of_birth", "nationality")
        .drop_nulls("full_name")
        .unique("full_name", maintain_order=True)
    )
    n_people = min(int(size * 0.7), people.height)
    picked = people[rng.choice(people.height, size=n_people, replace=False).tolist()]
    codes = {n: to_iso(n) for n in picked["nationality"].drop_nulls().unique().to_list()}
    persons = picked.select(
        pl.col("full_name").alias("name"),
        pl.lit("person").alias("type"),
        pl.col("nationality")
        .replace_strict(codes, default=None, return_dtype=pl.Utf8)
        .alias("country"),
        pl.col("date_of_birth").alias("birth_date"),
    )
    n_companies = size - n_people
    words = rng.choice(len(_COMPANY_WORDS), size=(n_companies, 2))
    sectors = rng.choice(len(_COMPANY_SECTORS), size=n_companies)
    forms = rng.choice(len(_LEGAL_FORMS), size=n_companies)
    numbers = rng.integers(1, 999, size=n_companies)
    names = [
        f"{_COMPANY_WORDS[a]} {_COMPANY_WORDS[b]} {_COMPANY_SECTORS[s]} {_LEGAL_FORMS[f]}"
        if a != b
        else f"{_COMPANY_WORDS[a]} {_COMPANY_SECTORS[s]} {n} {_LEGAL_FORMS[f]}"
        for (a, b), s, f, n in zip(words, sectors, forms, numbers, strict=True)
    ]
    companies = pl.DataFrame(
        {
            "name": names,
            "type": ["company"] * n_companies,
            "country": rng.choice(_IBAN_COUNTRIES, size=n_companies).tolist(),
            "birth_date": [None] * n_companies,
        },
        schema={"name": pl.Utf8, "type": pl.Utf8, "country": pl.Utf8, "birth_date": pl.Utf8},
    )
    parties = pl.concat([persons, companies]).unique("name", maintain_order=True)
    countries = np.array(rng.choice(_IBAN_COUNTRIES, size=parties.height))
    # A third of the persons give their birth date, as payment data rarely carries it.
    keep_dob = (rng.random(parties.height) < 0.33).tolist()
    result: pl.DataFrame = parties.with_columns(
        pl.Series("account", _iban(rng, countries)),
        pl.Series("bic", rng.choice(_BANKS, size=parties.height).tolist()),
        pl.when(pl.Series(keep_dob, dtype=pl.Boolean))
        .then(pl.col("birth_date"))
        .otherwise(None)
        .alias("birth_date"),
    )
    return result


def zipf_draws(rng: np.random.Generator, pool: int, count: int) -> np.ndarray[Any, Any]:
    """``count`` indices into ``pool`` with a Zipf-like skew (index 0 the most frequent)."""
    weights = 1.0 / np.arange(1, pool + 1, dtype=np.float64) ** ZIPF_EXPONENT
    weights /= weights.sum()
    return rng.choice(pool, size=count, p=weights)


# -- planted listed parties ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Planted:
    entity_id: str
    list_id: str
    schema: str
    category: str
    name: str
    original: str


def list_names(store: ListStore) -> pl.DataFrame:
    """Strong names of current Person/Organization entities: entity_id, list_id, schema, name."""
    rows = store.con.execute(
        """
        SELECT n.entity_id, s.list_id, e.schema, n.name
        FROM entity_names n
        JOIN snapshots s ON s.snapshot_id = n.snapshot_id AND s.is_current
        JOIN entities e ON e.snapshot_id = n.snapshot_id AND e.entity_id = n.entity_id
        WHERE n.kind IN ('primary', 'alias') AND e.schema IN ('Person', 'Organization')
        ORDER BY s.list_id, n.entity_id, n.name
        """
    ).fetchall()
    frame = pl.DataFrame(
        rows,
        schema={"entity_id": pl.Utf8, "list_id": pl.Utf8, "schema": pl.Utf8, "name": pl.Utf8},
        orient="row",
    )
    return frame.with_columns(pl.col("name").str.strip_chars()).filter(
        pl.col("name").str.contains(r"\p{L}{2}") & (pl.col("name").str.len_chars() <= 70)
    )


def planted_parties(names: pl.DataFrame, count: int, seed: int) -> list[Planted]:
    """``count`` listed names, exact or varied (one category each), from distinct entities."""
    rng = random.Random(f"{seed}:planted")
    entities = names.unique(["list_id", "entity_id"], keep="first", maintain_order=True)
    order = rng.sample(range(entities.height), min(count * 3, entities.height))
    categories = sorted(NAME_VARIATIONS)
    chosen: list[Planted] = []
    for index in order:
        entity_id, list_id, schema, name = entities.row(index)
        category = "exact" if rng.random() < EXACT_SHARE else rng.choice(categories)
        varied = name if category == "exact" else NAME_VARIATIONS[category](name, rng, schema)
        if varied is None or not varied.strip() or (category != "exact" and varied == name):
            category, varied = "exact", name
        chosen.append(Planted(entity_id, list_id, schema, category, varied, name))
        if len(chosen) >= count:
            break
    return chosen


# -- the canonical frame -------------------------------------------------------------------------


def _base_frame(rows: int, parties: pl.DataFrame, seed: int) -> pl.DataFrame:
    if rows == 0:
        return pl.DataFrame(schema=dict.fromkeys(CANONICAL_COLUMNS, pl.Utf8))
    rng = np.random.default_rng(seed + 1)
    origin = parties[zipf_draws(rng, parties.height, rows).tolist()]
    target = parties[zipf_draws(rng, parties.height, rows)[::-1].tolist()]
    templates = rng.integers(0, len(_REMITTANCE), size=rows)
    numbers = rng.integers(1000, 99999, size=rows)
    months = rng.integers(0, 12, size=rows)
    remittance = [
        _REMITTANCE[t].format(n=n, month=_MONTHS[m], year=2024)
        for t, n, m in zip(templates, numbers, months, strict=True)
    ]
    days = rng.integers(0, 365, size=rows)
    dates = (np.datetime64("2024-01-01") + days.astype("timedelta64[D]")).astype(str)
    frame = pl.DataFrame(
        {
            "transaction_id": [f"TX{i:09d}" for i in range(1, rows + 1)],
            "date": dates.tolist(),
            "amount": np.round(rng.lognormal(6.5, 1.6, size=rows), 2),
            "currency": rng.choice(_CURRENCIES, size=rows).tolist(),
            "remittance_info": remittance,
        }
    )
    frame = frame.with_columns(pl.col("amount").cast(pl.Utf8))
    for prefix, side in (("originator", origin), ("beneficiary", target)):
        frame = frame.with_columns(
            side["name"].alias(f"{prefix}_name"),
            side["type"].alias(f"{prefix}_type"),
            side["country"].alias(f"{prefix}_country"),
            side["account"].alias(f"{prefix}_account"),
            side["bic"].alias(f"{prefix}_bank_bic"),
            side["birth_date"].alias(f"{prefix}_birth_date"),
        )
    return frame.select(CANONICAL_COLUMNS)


def _plant(
    frame: pl.DataFrame, planted: list[Planted], occurrences: int, seed: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Write planted names into random rows; returns the frame and the ground truth."""
    rng = random.Random(f"{seed}:positions")
    count = min(occurrences, frame.height)
    positions = rng.sample(range(frame.height), count) if planted else []
    truth: list[dict[str, Any]] = []
    updates: dict[str, dict[int, str | None]] = {c: {} for c in CANONICAL_COLUMNS}
    for i, row in enumerate(sorted(positions)):
        party = planted[i % len(planted)]
        if rng.random() < FREE_TEXT_SHARE:
            role = "free_text"
            updates["remittance_info"][row] = f"PAYMENT ON BEHALF OF {party.name}"
        else:
            role = rng.choice(("originator", "beneficiary"))
            updates[f"{role}_name"][row] = party.name
            updates[f"{role}_type"][row] = "person" if party.schema == "Person" else "organisation"
            # Name only: the counterparty's birth date and country are not the listed ones.
            updates[f"{role}_birth_date"][row] = None
            updates[f"{role}_country"][row] = None
        truth.append(
            {
                "source_position": row + 1,
                "role": role,
                "entity_id": party.entity_id,
                "list_id": party.list_id,
                "category": party.category,
                "planted_name": party.name,
                "original_name": party.original,
            }
        )
    columns = []
    for column, changes in updates.items():
        if not changes:
            continue
        index = pl.Series("i", list(changes), dtype=pl.Int64)
        values = pl.Series("v", list(changes.values()), dtype=pl.Utf8)
        patch = pl.DataFrame([index, values])
        columns.append((column, patch))
    out = frame.with_row_index("i").with_columns(pl.col("i").cast(pl.Int64))
    for column, patch in columns:
        out = (
            out.join(patch, on="i", how="left")
            .with_columns(
                pl.when(pl.col("i").is_in(patch["i"].implode()))
                .then(pl.col("v"))
                .otherwise(pl.col(column))
                .alias(column)
            )
            .drop("v")
        )
    return out.drop("i"), pl.DataFrame(truth, schema=GROUND_TRUTH_SCHEMA)


def generate_frame(
    rows: int,
    store: ListStore,
    *,
    seed: int = 1,
    planted_share: float = 0.002,
    folder: Path | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The canonical batch (CANONICAL_COLUMNS) and its ground truth."""
    pool = max(50, min(rows // 8, 200_000))
    parties = counterparties(pool, seed, folder)
    frame = _base_frame(rows, parties, seed)
    occurrences = round(rows * planted_share)
    distinct = max(1, occurrences // 4) if occurrences else 0
    planted = planted_parties(list_names(store), distinct, seed) if distinct else []
    return _plant(frame, planted, occurrences, seed)


# -- writers -------------------------------------------------------------------------------------


def _x(value: Any) -> str:
    return escape(str(value))


def _split_name(name: str) -> tuple[str, str]:
    first, _, rest = name.partition(" ")
    return (first, rest) if rest else ("", first)


def _pacs_party(
    tag: str, name: str | None, country: str | None, kind: str | None, birth: str | None
) -> str:
    if not name:
        return ""
    ctry = f"<PstlAdr><Ctry>{_x(country)}</Ctry></PstlAdr>" if country else ""
    ident = ""
    if birth and kind == "person":
        ident = (
            f"<Id><PrvtId><DtAndPlcOfBirth><BirthDt>{_x(birth)}</BirthDt><CityOfBirth>NOTPROVIDED"
            "</CityOfBirth><CtryOfBirth>ZZ</CtryOfBirth></DtAndPlcOfBirth></PrvtId></Id>"
        )
    return f"<{tag}><Nm>{_x(name)}</Nm>{ctry}{ident}</{tag}>"


def _acct(tag: str, iban: str | None) -> str:
    return f"<{tag}><Id><IBAN>{_x(iban)}</IBAN></Id></{tag}>" if iban else ""


def _agent(tag: str, bic: str | None) -> str:
    return f"<{tag}><FinInstnId><BICFI>{_x(bic)}</BICFI></FinInstnId></{tag}>" if bic else ""


def _debtor(r: dict[str, Any]) -> str:
    return (
        _pacs_party(
            "Dbtr",
            r["originator_name"],
            r["originator_country"],
            r["originator_type"],
            r["originator_birth_date"],
        )
        + _acct("DbtrAcct", r["originator_account"])
        + _agent("DbtrAgt", r["originator_bank_bic"])
    )


def _iso_tx(r: dict[str, Any], amount_tag: str, debtor: str = "") -> str:
    creditor = _pacs_party(
        "Cdtr",
        r["beneficiary_name"],
        r["beneficiary_country"],
        r["beneficiary_type"],
        r["beneficiary_birth_date"],
    )
    return (
        f"<CdtTrfTxInf><PmtId><EndToEndId>{_x(r['transaction_id'])}</EndToEndId></PmtId>"
        f"{amount_tag}{debtor}{_agent('CdtrAgt', r['beneficiary_bank_bic'])}{creditor}"
        f"{_acct('CdtrAcct', r['beneficiary_account'])}"
        f"<RmtInf><Ustrd>{_x(r['remittance_info'])}</Ustrd></RmtInf></CdtTrfTxInf>\n"
    )


def _write_pacs008(rows: Iterator[dict[str, Any]], out: TextIO, count: int) -> None:
    out.write(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"><FIToFICstmrCdtTrf>\n'
        f"<GrpHdr><MsgId>GEN-PACS</MsgId><CreDtTm>2024-12-31T00:00:00</CreDtTm>"
        f"<NbOfTxs>{count}</NbOfTxs><SttlmInf><SttlmMtd>INDA</SttlmMtd></SttlmInf></GrpHdr>\n"
    )
    for r in rows:
        amount = f'<IntrBkSttlmAmt Ccy="{_x(r["currency"])}">{_x(r["amount"])}</IntrBkSttlmAmt>'
        out.write(_iso_tx(r, amount, _debtor(r)))
    out.write("</FIToFICstmrCdtTrf></Document>\n")


def _write_pain001(rows: Iterator[dict[str, Any]], out: TextIO, count: int) -> None:
    out.write(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"><CstmrCdtTrfInitn>\n'
        f"<GrpHdr><MsgId>GEN-PAIN</MsgId><CreDtTm>2024-12-31T00:00:00</CreDtTm>"
        f"<NbOfTxs>{count}</NbOfTxs><InitgPty><Nm>Generated Payroll Services</Nm></InitgPty>"
        "</GrpHdr>\n"
    )
    for r in rows:
        amount = f'<Amt><InstdAmt Ccy="{_x(r["currency"])}">{_x(r["amount"])}</InstdAmt></Amt>'
        out.write(
            f"<PmtInf><PmtInfId>P-{_x(r['transaction_id'])}</PmtInfId><PmtMtd>TRF</PmtMtd>"
            f"{_debtor(r)}{_iso_tx(r, amount)}</PmtInf>\n"
        )
    out.write("</CstmrCdtTrfInitn></Document>\n")


def _mt_lines(text: str, width: int = 35) -> list[str]:
    """``text`` word-wrapped into SWIFT lines of at most ``width`` characters, as most payment
    systems write them (a word longer than a line is cut); a line never starts with ':' or '-'.
    Only plain spaces break lines, so a planted no-break space stays inside its line."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        if not word:
            continue
        if line and len(line) + 1 + len(word) <= width:
            line = f"{line} {word}"
            continue
        if line:
            lines.append(line)
        while len(word) > width:
            lines.append(word[:width])
            word = word[width:]
        line = word
    if line:
        lines.append(line)
    return [ln.lstrip(":-") or "." for ln in lines] or ["."]


def _mt_chunks(text: str, width: int = 35) -> list[str]:
    """``text`` cut every ``width`` characters, as fixed-width exports write long names."""
    chunks = [text[i : i + width] for i in range(0, len(text), width)]
    return [c.lstrip(":-") or "." for c in chunks if c.strip()] or ["."]


def _mt_party(
    tag: str, name: str | None, account: str | None, country: str | None, fixed_width: bool
) -> str:
    """50K/59: optional /account line, the name over as many 35-character lines as it needs
    (at most 3), then the country line."""
    lines = [f"/{account}"] if account else []
    text = name or "NOT PROVIDED"
    lines += (_mt_chunks(text) if fixed_width else _mt_lines(text))[:3]
    if country:
        lines.append(country)
    return f":{tag}:" + "\n".join(lines) + "\n"


def _write_mt103(rows: Iterator[dict[str, Any]], out: TextIO, count: int) -> None:
    del count
    for i, r in enumerate(rows, start=1):
        amount = str(r["amount"]).replace(".", ",")
        date = str(r["date"]).replace("-", "")[2:]
        # One sender in four exports names fixed-width (cut at 35 characters, even mid-word).
        fixed = i % 4 == 0
        out.write(
            f"{{1:F01{r['originator_bank_bic']}AXXX{i:010d}}}"
            f"{{2:I103{r['beneficiary_bank_bic']}XXXXN}}{{4:\n"
            f":20:{r['transaction_id']}\n:23B:CRED\n:32A:{date}{r['currency']}{amount}\n"
            + _mt_party(
                "50K", r["originator_name"], r["originator_account"], r["originator_country"],
                fixed,
            )
            + f":52A:{r['originator_bank_bic']}\n:57A:{r['beneficiary_bank_bic']}\n"
            + _mt_party(
                "59", r["beneficiary_name"], r["beneficiary_account"], r["beneficiary_country"],
                fixed,
            )
            + ":70:"
            + "\n".join(_mt_lines(str(r["remittance_info"]))[:4])
            + "\n"
            + ":71A:SHA\n-}\n"
        )


def _goaml_subject(side: str, r: dict[str, Any], prefix: str) -> str:
    name = r[f"{prefix}_name"]
    if not name:
        return ""
    country = r[f"{prefix}_country"]
    if r[f"{prefix}_type"] == "person":
        first, last = _split_name(name)
        birth = r[f"{prefix}_birth_date"]
        return (
            f"<{side}_person><first_name>{_x(first)}</first_name><last_name>{_x(last)}"
            "</last_name>"
            + (f"<birthdate>{_x(birth)}T00:00:00</birthdate>" if birth else "")
            + (f"<nationality1>{_x(country)}</nationality1>" if country else "")
            + f"</{side}_person>"
        )
    return (
        f"<{side}_entity><name>{_x(name)}</name>"
        + (
            f"<incorporation_country_code>{_x(country)}</incorporation_country_code>"
            if country
            else ""
        )
        + f"</{side}_entity>"
    )


def _write_goaml(rows: Iterator[dict[str, Any]], out: TextIO, count: int) -> None:
    del count
    out.write(
        '<?xml version="1.0" encoding="UTF-8"?>\n<report><rentity_id>1</rentity_id>'
        "<submission_code>E</submission_code><report_code>CTR</report_code>"
        "<submission_date>2024-12-31T00:00:00</submission_date>"
        "<currency_code_local>EUR</currency_code_local>\n"
    )
    for r in rows:
        out.write(
            f"<transaction><transactionnumber>{_x(r['transaction_id'])}</transactionnumber>"
            f"<transaction_description>{_x(r['remittance_info'])}</transaction_description>"
            f"<date_transaction>{_x(r['date'])}T00:00:00</date_transaction>"
            f"<transmode_code>K</transmode_code><amount_local>{_x(r['amount'])}</amount_local>"
            f"<t_from_my_client><from_funds_code>K</from_funds_code>"
            f"{_goaml_subject('from', r, 'originator')}</t_from_my_client>"
            f"<t_to><to_funds_code>K</to_funds_code>{_goaml_subject('to', r, 'beneficiary')}"
            "</t_to></transaction>\n"
        )
    out.write("</report>\n")


_WRITERS = {
    "pacs008": _write_pacs008,
    "pain001": _write_pain001,
    "mt103": _write_mt103,
    "goaml": _write_goaml,
}


def write_batch(frame: pl.DataFrame, fmt: str, path: Path) -> Path:
    """Write the canonical frame in ``fmt`` (one record per row, same order and positions)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        frame.write_csv(path)
    elif fmt == "parquet":
        frame.write_parquet(path)
    elif fmt == "jsonl":
        frame.write_ndjson(path)
    elif fmt in _WRITERS:
        with path.open("w", encoding="utf-8", newline="\n") as out:
            _WRITERS[fmt](frame.iter_rows(named=True), out, frame.height)
    else:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return path


def generate(
    fmt: str,
    rows: int,
    out: Path,
    store: ListStore,
    *,
    seed: int = 1,
    planted_share: float = 0.002,
    folder: Path | None = None,
) -> tuple[Path, Path]:
    """Write ``batch_<fmt>_<rows><suffix>`` and its ground truth CSV into ``out``."""
    frame, truth = generate_frame(
        rows, store, seed=seed, planted_share=planted_share, folder=folder
    )
    batch = write_batch(frame, fmt, out / f"batch_{fmt}_{rows}{SUFFIX[fmt]}")
    truth_path = out / f"batch_{fmt}_{rows}.ground_truth.csv"
    truth.write_csv(truth_path)
    return batch, truth_path


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--format", choices=FORMATS, default="csv")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--planted-share",
        type=float,
        default=0.002,
        help="share of transactions carrying a planted listed party",
    )
    parser.add_argument(
        "--db",
        type=Path,
        default=None,
        help="list store to draw planted names from (default: a store of "
        "every real list built in OUT/lists.duckdb)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> tuple[Path, Path]:
    args = parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.db is None:
        from benchmarks.common import build_store

        args.db = args.out / "lists.duckdb"
        store, _ = build_store(args.db)
    else:
        store = ListStore(args.db)
    try:
        batch, truth = generate(
            args.format,
            args.rows,
            args.out,
            store,
            seed=args.seed,
            planted_share=args.planted_share,
        )
    finally:
        store.close()
    print(f"wrote {batch} and {truth}", file=sys.stderr)
    return batch, truth


if __name__ == "__main__":
    main()
