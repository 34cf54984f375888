"""Every reading of a query name: in another script, and with its "-ullah" names.

The index holds a list name written in Arabic or Cyrillic script once per romanisation scheme
(``index.indexed_names``). Queries get the same treatment: a name in another script is also
screened as written in each further scheme (the first is how the name itself is read), and
the explanation of a hit says which reading met the list name. A name ending in "allah" is
also read joined or cut apart ("Habib Allah" / "Habibullah"), as lists write both.
``compare`` and ``match`` add the readings as further names of the query; ``screen`` adds them
as further rows of a party and folds their hits back into the party's row (the best hit per
list entry is kept). A person's name holding two people ("Jan Peeters & An Janssens") is also
read as each of them (``screening.parties``), and a name field that runs on into an address as
the name before it (``screening.addresses``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any

import polars as pl

from screening import refdata
from screening.addresses import name_before_address
from screening.name_fields import field_forms, may_have_forms, written_words
from screening.normalise import PERSON
from screening.parties import MAY_JOIN, joint_parts, may_cut, reads_as_organisation
from screening.transliterate import detect_script, romanisations, romanise

Query = str | dict[str, Any]
Records = list[dict[str, Any]]

# Names that may have more than one reading (a cheap first test per name, in Polars): letters
# of a script romanised in more than one way, or a word ending in "allah".
_READ_AGAIN = r"[\p{Arabic}\p{Cyrillic}\p{Hangul}\p{Hebrew}]|(?i)(?:allah|ullah|ollah)\b"
_OPENING = "Query name '{}' "
# Kinds of party whose names hold numbers: never read as a name before an address.
_NUMBERED = frozenset({"Vessel", "Aircraft"})
# The fewest words of a form of the party's field read as a name of its own.
MIN_FORM_WORDS = 2
_ALLAH_APART = re.compile(r"\b([^\W\d_]{3,})[\s-]+(?:allah|ullah|ollah)\b", re.IGNORECASE)
_ALLAH_JOINED = re.compile(r"\b([^\W\d_]{3,}?)(?:allah|ullah|ollah)\b", re.IGNORECASE)


@lru_cache(maxsize=1 << 16)  # the same parties are screened batch after batch
def further_readings(name: str) -> tuple[str, ...]:
    """The romanisations of a name written mostly in another script, past the first, and each
    form with its "-ullah" names joined or cut apart (``allah_forms``)."""
    script = detect_script(name)
    # Scripts with one romanisation (Greek, Han...) have no further reading to add. Korean is
    # read as North Korea writes it only when written as Korean writes a name, in one word:
    # apart ("정은 김", given name first as forms put it), short syllables such as "Jiyong Kim"
    # meet "Pyong Chol KIM" (4% of the quality benchmark's Korean negatives were flagged).
    spaced_korean = script == "Hangul" and len(name.split()) > 1
    if script in ("Latin", "Common") or spaced_korean or romanisations(name) == 1:
        forms = [name]
    else:
        forms = romanise(name)
    found = [*forms[1:], *(other for form in forms for other in allah_forms(form))]
    return tuple(dict.fromkeys(form for form in found if form != name))


def party_readings(name: str, schema: str | None) -> tuple[str, ...]:
    """``further_readings`` of a party's name field, of the name before its address
    (``name_before_address``; not for vessels and aircraft), and where a party of this kind
    (None: unknown) may be a person or two, of what else a person's field holds as a list's
    would (``field_forms``: "X (deceased)", "X, born 1951") and of each person
    (``joint_parts``)."""
    before = name_before_address(name) if schema not in _NUMBERED else None
    names = [name] if before is None else [name, before]
    # The address is no fact about a name; a form of one word is too vague to stand for the
    # party ("मिना (धेके)" is not "मिना"). An organisation's brackets tell it apart from others
    # of its name ("AL-HARAMAYN (ALBANIA BRANCH)"): they are kept.
    if may_cut(schema):
        if re.search(may_have_forms(), names[-1]) and not reads_as_organisation(names[-1]):
            forms = field_forms(names[-1], person=True)
            names += [form for form in forms if len(written_words(form)) >= MIN_FORM_WORDS]
        names += [part for n in names for part in joint_parts(n)]
    found = [*names[1:], *(form for n in names for form in further_readings(n))]
    return tuple(dict.fromkeys(form for form in found if form != name))


@cache
def _never_before_allah() -> frozenset[str]:
    return frozenset(refdata.string_list("name_variants", "allah_never_after"))


def _takes_allah(word: str) -> bool:
    """Whether "allah" after ``word`` is its ending: not after a particle or an Abd name."""
    folded = word.casefold()
    return folded not in _never_before_allah() and not folded.startswith("abd")


def allah_forms(name: str) -> list[str]:
    """``name`` with its "-ullah" names joined ("Habib Allah" -> "Habibullah") and with them
    cut apart ("Habibullah" -> "Habib Allah"); forms equal to the name are left out."""

    def joined(found: re.Match[str]) -> str:
        stem = found.group(1)
        return f"{stem}ullah" if _takes_allah(stem) else found.group(0)

    def apart(found: re.Match[str]) -> str:
        stem = found.group(1)
        return f"{stem} allah" if _takes_allah(stem) else found.group(0)

    forms = [_ALLAH_APART.sub(joined, name), _ALLAH_JOINED.sub(apart, name)]
    return [form for form in dict.fromkeys(forms) if form != name]


def with_readings(query: Query, schema: str | None = None) -> tuple[Query, dict[str, str]]:
    """``query`` with the further readings of its names (``party_readings``; ``schema``, or the
    query's own, says what kind of party it is) added as names of its own, and each added
    reading -> the name it was read from. A query without such names is returned as it is."""
    props: dict[str, Any] = (
        {"name": query} if isinstance(query, str) else dict(query.get("properties", query))
    )
    own = None if isinstance(query, str) else query.get("schema") or props.get("schema")
    kind = str(own) if own else schema
    raw = props.get("name")
    names = [str(n) for n in (raw if isinstance(raw, list | tuple) else [raw]) if n]
    readings: dict[str, str] = {}
    for name in names:
        for form in party_readings(name, kind):
            readings.setdefault(form, name)
    if not readings:
        return query, {}
    props["name"] = [*names, *(r for r in readings if r not in names)]
    if isinstance(query, str):
        return props, readings
    if "properties" in query:
        return {**query, "properties": props}, readings
    return props, readings


def read_as(explanation: str, name: str, reading: str) -> str:
    """An explanation of a hit met through ``reading`` names the query's own ``name``."""
    opening = _OPENING.format(reading)
    if not explanation.startswith(opening):
        return explanation
    return f"Query name '{name}' (read as '{reading}') " + explanation[len(opening):]


def explained(explanation: str, readings: dict[str, str]) -> str:
    """``read_as`` for whichever added reading (reading -> name) the explanation opens with."""
    for reading, name in readings.items():
        reworded = read_as(explanation, name, reading)
        if reworded != explanation:
            return reworded
    return explanation


# --- Parties frames: one more row per reading --------------------------------------------------


def reading_rows(rows: pl.DataFrame) -> pl.DataFrame:
    """``rows`` (normalised parties: row, name, ...) with ``of_row`` (the party a row screens
    for) and ``read_from`` (null, or the party's own name when the row's name is a reading of
    it); one more row per further reading of a name (``party_readings``), numbered after the
    others."""
    rows = rows.with_columns(
        pl.col("row").alias("of_row"), pl.lit(None, dtype=pl.Utf8).alias("read_from")
    )
    # Rows without a kind are parties of unknown kind.
    kind = pl.col("schema") if "schema" in rows.columns else pl.lit(None, dtype=pl.Utf8)
    again = rows.filter(
        pl.col("name").str.contains(_READ_AGAIN)
        # An address, brackets, several names, a fact (``name_before_address``, ``field_forms``).
        | pl.col("name").str.contains(may_have_forms())
        | (pl.col("name").str.contains(MAY_JOIN) & (kind.is_null() | (kind == PERSON)))
    ).select("row", "name", kind.alias("schema"))
    found = [
        (row, form) for row, name, schema in again.iter_rows()
        for form in party_readings(name, schema)
    ]
    if not found:
        return rows
    extra = pl.DataFrame(
        found, schema={"of_row": rows.schema["row"], "reading": pl.Utf8}, orient="row"
    )
    copies = extra.join(
        rows.drop("of_row", "read_from"), left_on="of_row", right_on="row",
        maintain_order="left",
    ).with_columns(
        (pl.int_range(pl.len()) + rows.height).cast(rows.schema["row"]).alias("row"),
        pl.col("name").alias("read_from"),
        pl.col("reading").alias("name"),
    )
    return pl.concat([rows, copies.select(rows.columns)])


def fold_reading_hits(hits: pl.DataFrame) -> pl.DataFrame:
    """Hits of reading rows (``reading_rows``) given to the party they read: the best per
    list entry is kept; at equal scores the name as written wins, then the earlier reading."""
    return (
        hits.sort(["score", "row"], descending=[True, False])
        .unique(["of_row", "list_id", "entity_id"], keep="first", maintain_order=True)
        .with_columns(pl.col("of_row").alias("row"))
    )


def named_as_written(hits: pl.DataFrame) -> pl.DataFrame:
    """Hits of reading rows name the party's own name: query_name is the name as written and
    read_as the reading that met the list name (the explanation says both)."""
    from_reading = pl.col("read_from").is_not_null()
    return hits.with_columns(
        pl.when(from_reading).then(pl.col("query_name")).alias("read_as"),
        pl.when(from_reading).then(pl.col("read_from")).otherwise(pl.col("query_name"))
        .alias("query_name"),
    )


# --- The same for a few parties given as dicts --------------------------------------------------


def reading_records(rows: Records) -> tuple[Records, dict[int, int]]:
    """``rows`` plus one row per further reading, numbered after the others, and each added
    row -> the row it reads."""
    added: Records = []
    of_row: dict[int, int] = {}
    for row in rows:
        name = row.get("name")
        forms = party_readings(name, row.get("schema")) if isinstance(name, str) and name else ()
        for form in forms:
            number = len(rows) + len(added)
            of_row[number] = row["row"]
            added.append({**row, "row": number, "name": form})
    return [*rows, *added], of_row


def fold_reading_records(hits: Records, rows: Records, of_row: dict[int, int]) -> Records:
    """``fold_reading_hits`` and ``named_as_written`` for hit dicts sorted by row, score
    (best first) and entity; ``rows`` are the parties as given."""
    if not of_row:
        return hits
    best: dict[tuple[int, str, str], dict[str, Any]] = {}
    for hit in sorted(hits, key=lambda h: (-h["score"], h["row"])):
        row: int = hit["row"]
        party = of_row.get(row, row)
        key = (party, hit["list_id"], hit["entity_id"])
        if key in best:
            continue
        if row in of_row:
            name, reading = rows[party]["name"], hit["query_name"]
            hit = {**hit, "row": party, "query_name": name, "read_as": reading,
                   "explanation": read_as(hit["explanation"], name, reading)}
        best[key] = hit
    return sorted(best.values(), key=lambda h: (h["row"], -h["score"], h["entity_id"]))


def screen_read_records(screen_rows: Callable[[Records], Records], rows: Records) -> Records:
    """The hits ``screen_rows`` gives ``rows`` with their further readings, folded back into
    the rows they read."""
    read, of_row = reading_records(rows)
    return fold_reading_records(screen_rows(read), rows, of_row)
