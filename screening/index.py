"""The screening index: columnar tables built once per set of list snapshots.

Built from the current snapshots in the store and cached on disk as Parquet, keyed by the
snapshot ids, the index format version and the reference data that shapes tokens (the YAML
files in screening/data), so a restart reuses it instead of rebuilding, and an edited spelling
table never meets a stale index.

Tables (Polars):
- ``names``: one row per indexed name form: name_id, entity_id, list_id, schema, name, kind,
  tokens, weak, joined (tokens glued together, for joined/split-word comparison);
- ``tokens``: name_id, pos, token, tid, canonical, weight (rarity weight in 0..1);
- ``token_info``: per distinct token: tid, canonical (variant group), blocking keys, weight,
  and its metaphone, NYSIIS, Soundex and match-rating codes;
- ``keys``: key -> token (variant group, phonetic key, one-letter deletions of distinct
  tokens) and key -> name_id (``n:`` whole names, ``g:`` neighbouring words glued, ``c2:``
  two common words of one name, ``i2:`` an initial and a common word, ``t:`` the start of
  the name);
- ``entities``: entity_id, list_id, schema, caption, birth_dates, countries, gender;
- ``identifiers``: kind, value (cleaned), entity_id, list_id.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl

from lists.store import ListStore, Snapshot
from screening.keys import is_wide_key, token_table
from screening.legal_words import legal_form_words, legal_form_words_in, stray_short_forms
from screening.name_fields import field_forms, may_have_forms
from screening.normalise import PERSON, bare_names, name_variants, tokenise_names
from screening.phonetic import phonetic_keys
from screening.scoring import RARE_WEIGHT, initial_weight
from screening.transliterate import detect_script
from screening.variants import abbreviated_unit_forms, is_common

INDEX_VERSION = "42"
# A blocking key shared by more distinct tokens than this is too vague to create candidates.
MAX_KEY_TOKENS = 60
# Wide keys (keys.WIDE_PREFIXES) are vaguer: they may be shared by this many tokens. At 50,
# blocking found more of the scorer's weak two-edit pairs ("Farah"/"Farzat", "Martin"/"Marie")
# and no more true hits: the demo's false alerts tripled, the benchmark's hits did not move.
MAX_WIDE_KEY_TOKENS = 20
# A list token carried by more names than this cannot create candidates on its own.
MAX_TOKEN_NAMES = 250
# Letters of the start of a name that a long (possibly cut) query is looked up by.
PREFIX_LETTERS = 8
# Whole names spelt without spaces are keyed from this length (the scorer's whole-name
# comparison starts there too).
SPELLING_MIN_LETTERS = 6
# A whole spelling this long stays JOINED_MIN_SIM alike through one edit (1 - 1/10 = 0.9):
# from here it is also keyed with each letter left out (``k:``, spelling_slip_keys).
SLIP_SPELLING_MIN_LETTERS = 10
SLIP_PREFIX = "k:"
REFERENCE_DATA = Path(__file__).parent / "data"
_TABLES = ("names", "tokens", "keys", "entities", "identifiers", "token_info")


@dataclass(slots=True)
class ScreeningIndex:
    names: pl.DataFrame
    tokens: pl.DataFrame
    keys: pl.DataFrame
    entities: pl.DataFrame
    identifiers: pl.DataFrame
    token_info: pl.DataFrame  # token, canonical, keys, weight: reused for query tokens
    snapshots: list[dict[str, object]]

    @property
    def name_count(self) -> int:
        return self.names.height

    def weight_of(self) -> pl.DataFrame:
        return self.token_info.select("canonical", "weight").unique("canonical")


def rarity_weight(name_count: pl.Expr, total: int) -> pl.Expr:
    """Weight 1.0 for tokens found in a handful of names, falling towards 0.15 for the commonest.

    Inverse document frequency scaled so that a token in five names or fewer weighs 1.
    """
    reference = math.log(1 + total / 5)
    idf = (1 + total / name_count.cast(pl.Float64)).log()
    return (idf / reference).clip(0.15, 1.0)


def _query(store: ListStore, sql: str, params: list[object]) -> pl.DataFrame:
    frame: pl.DataFrame = store.con.sql(sql, params=params).pl()
    return frame


def _name_rows(store: ListStore, snapshots: list[Snapshot]) -> pl.DataFrame:
    ids = [s.snapshot_id for s in snapshots]
    frame = _query(
        store,
        """
        SELECT n.entity_id, s.list_id, e.schema, n.name, n.kind
        FROM entity_names n
        JOIN snapshots s USING (snapshot_id)
        JOIN entities e USING (snapshot_id, entity_id)
        WHERE s.snapshot_id IN (SELECT unnest(?::BIGINT[]))
        ORDER BY s.list_id, n.entity_id
        """,
        [ids],
    )
    return frame.with_columns(pl.col("name").str.strip_chars()).filter(
        pl.col("name").str.len_chars() > 0
    )


def indexed_names(rows: pl.DataFrame, tokens: pl.Series | None = None) -> pl.DataFrame:
    """The names table of an index: ``rows`` (entity_id, list_id, schema, name, kind) with
    their tokens (``tokens``, or tokenise_names'), the extra rows of _with_romanisations, a
    name_id, and the weak and joined columns."""
    names = _with_romanisations(rows, tokenise_names(rows["name"], rows["schema"])
                                if tokens is None else tokens)
    return names.with_columns(
        pl.col("kind").eq("weak_alias").alias("weak"),
        pl.col("tokens")
        .list.eval(pl.element().filter(~pl.element().str.starts_with("#")))
        .list.join("")
        .alias("joined"),
    )


def _with_romanisations(rows: pl.DataFrame, tokens: pl.Series) -> pl.DataFrame:
    """Add one row per extra romanisation of names written in a non-Latin script, one per
    Abd al-X unit of a person's name written "A. X" (variants.abbreviated_unit_forms), and
    one per further form of a list name field (name_fields.field_forms), in each
    romanisation."""
    base = rows.with_columns(tokens.alias("tokens"))
    non_latin = base.filter(~pl.col("name").str.contains(r"^[\p{Latin}\p{Common}\p{Inherited}]*$"))
    extra: list[dict[str, object]] = []
    for row in non_latin.iter_rows(named=True):
        if detect_script(str(row["name"])) == "Latin":
            continue
        for variant in name_variants(str(row["name"]), str(row["schema"]))[1:]:
            extra.append({**row, "tokens": variant})
    units = base.filter(
        (pl.col("schema") == "Person")
        & pl.col("tokens").list.eval(pl.element().str.starts_with("abdal")).list.any()
    )
    for row in units.iter_rows(named=True):
        extra.extend({**row, "tokens": form} for form in abbreviated_unit_forms(row["tokens"]))
    for row in base.filter(pl.col("name").str.contains(may_have_forms())).iter_rows(named=True):
        schema = str(row["schema"])
        forms = field_forms(str(row["name"]), schema == PERSON)
        variants = (v for form in forms for v in name_variants(form, schema))
        extra.extend({**row, "tokens": list(v)} for v in dict.fromkeys(map(tuple, variants))
                     if list(v) != row["tokens"])
    if extra:
        base = pl.concat([base, pl.DataFrame(extra, schema=base.schema)])
    return base.filter(pl.col("tokens").list.len() > 0).with_row_index("name_id")


def _entities(store: ListStore, snapshots: list[Snapshot]) -> pl.DataFrame:
    ids = [s.snapshot_id for s in snapshots]
    rows = store.con.execute(
        """
        SELECT e.entity_id, s.list_id, e.schema, e.caption, e.data
        FROM entities e JOIN snapshots s USING (snapshot_id)
        WHERE s.snapshot_id IN (SELECT unnest(?::BIGINT[]))
        """,
        [ids],
    ).fetchall()
    records = []
    for entity_id, list_id, schema, caption, data in rows:
        parsed = json.loads(data)
        records.append(
            {
                "entity_id": entity_id,
                "list_id": list_id,
                "schema": schema,
                "caption": caption,
                "birth_dates": [b["value"] for b in parsed.get("birth_dates", [])],
                "birth_untils": [
                    b.get("until") or b["value"] for b in parsed.get("birth_dates", [])
                ],
                "countries": sorted(
                    set(parsed.get("nationalities", [])) | set(parsed.get("countries", []))
                ),
                "gender": parsed.get("gender"),
            }
        )
    return pl.DataFrame(
        records,
        schema={
            "entity_id": pl.Utf8, "list_id": pl.Utf8, "schema": pl.Utf8, "caption": pl.Utf8,
            "birth_dates": pl.List(pl.Utf8), "birth_untils": pl.List(pl.Utf8),
            "countries": pl.List(pl.Utf8), "gender": pl.Utf8,
        },
    )


def clean_identifier(value: pl.Expr) -> pl.Expr:
    """Comparable identifier value: upper case without spaces, dots, dashes or slashes."""
    return value.str.to_uppercase().str.replace_all(r"[\s./-]+", "").str.replace(r"^IMO", "")


def _identifiers(store: ListStore, snapshots: list[Snapshot]) -> pl.DataFrame:
    ids = [s.snapshot_id for s in snapshots]
    frame = _query(
        store,
        """
        SELECT i.kind, i.value, i.entity_id, s.list_id
        FROM entity_identifiers i JOIN snapshots s USING (snapshot_id)
        WHERE s.snapshot_id IN (SELECT unnest(?::BIGINT[]))
          AND i.kind NOT IN ('email', 'phone', 'other')
        """,
        [ids],
    )
    return (
        frame.with_columns(clean_identifier(pl.col("value")).alias("value"))
        .filter(pl.col("value").str.len_chars() >= 5)
        .unique()
    )


def build_tables(names: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """Token, key and weight tables for a frame of names with a ``tokens`` list column."""
    tokens = (
        names.select("name_id", "tokens")
        .with_columns(pl.int_ranges(pl.col("tokens").list.len()).alias("pos"))
        .explode("tokens", "pos")
        .rename({"tokens": "token"})
    )
    info = token_table(tokens["token"]).with_row_index("tid")
    tokens = tokens.join(info.select("token", "tid", "canonical"), on="token", how="left")
    total = max(names.height, 1)
    doc_freq = tokens.group_by("canonical").agg(pl.col("name_id").n_unique().alias("df"))
    common = [c for c in doc_freq["canonical"].to_list() if is_common(c)]
    # Variant groups fold spellings ("obshchestvo" -> "ubshshistvu"): test the spellings.
    # A slip of a legal-form word that a person's name holds is a name ("Hartung").
    persons = names.filter(pl.col("schema") == "Person").select("name_id")
    person_words = tokens.join(persons, on="name_id")["token"].unique()
    slips = legal_form_words_in(info["token"])
    # The words of a bare name (an acronym such as "ASBL") are what tells it apart: they keep
    # their rarity weight (bare names are compared only with bare names, normalise.is_bare).
    acronyms = names.filter(bare_names(pl.col("tokens")))["tokens"].explode()
    legal = info.filter(
        (
            pl.col("token").is_in(legal_form_words())
            | (
                pl.col("token").is_in(slips.implode())
                & ~pl.col("token").is_in(person_words.implode())
            )
            | pl.col("token").is_in(stray_short_forms())
        )
        & ~pl.col("token").is_in(acronyms.implode())
    )["canonical"]
    # Class tokens and stray legal-form words never tell one name from another.
    weightless = pl.col("canonical").str.starts_with("#") | pl.col("canonical").is_in(
        legal.implode()
    )
    weights = doc_freq.with_columns(
        pl.when(weightless)
        .then(0.0)
        .when(pl.col("canonical").is_in(common))
        .then(pl.min_horizontal(rarity_weight(pl.col("df"), total), pl.lit(0.3)))
        .otherwise(rarity_weight(pl.col("df"), total))
        .alias("weight")
    ).select("canonical", initial_weight(pl.col("canonical"), pl.col("weight")).alias("weight"))
    tokens = tokens.join(weights, on="canonical", how="left")
    # Phonetic codes of every distinct token, kept for explanations and analysis.
    info = info.join(weights, on="canonical", how="left").join(
        phonetic_keys(info["token"]), on="token", how="left"
    )
    return {"tokens": tokens, "token_info": info, "keys": _keys(names, info, tokens)}


def _keys(names: pl.DataFrame, info: pl.DataFrame, tokens: pl.DataFrame) -> pl.DataFrame:
    """Blocking keys: token keys point at distinct tokens, whole-name keys at names.

    ``key`` -> ``token`` for the keys of distinct tokens (a key shared by more than
    MAX_KEY_TOKENS tokens, MAX_WIDE_KEY_TOKENS for wide keys, tells nothing: it is kept
    only for the common words it leads to), and ``key`` -> ``name_id`` for
    whole-name keys. Going through distinct tokens keeps the join small: a query token meets
    each similar list token once, not once per name that carries it.
    """
    token_keys = (
        info.filter(~pl.col("token").str.starts_with("#"))
        .select("token", "keys")
        .explode("keys")
        .select(pl.col("keys").alias("key"), "token")
        .drop_nulls()
        .unique()
    )
    sizes = token_keys.group_by("key").len()
    sharp = pl.col("len") <= pl.when(is_wide_key(pl.col("key"))).then(
        MAX_WIDE_KEY_TOKENS
    ).otherwise(MAX_KEY_TOKENS)
    # A vague key still leads to the common words among its tokens (few, and never expanded
    # alone): "wali" reaches "ali" and pairs it with another common word (c2: keys).
    pairing = info.join(pairing_words(tokens), on="tid", how="semi")["token"]
    to_common = ~is_wide_key(pl.col("key")) & pl.col("token").is_in(pairing.implode())
    token_keys = (
        token_keys.join(sizes, on="key")
        .filter(sharp | to_common)
        .select("key", "token", pl.lit(None, dtype=pl.UInt32).alias("name_id"))
    )
    whole = names.select(
        whole_name_key(pl.col("tokens")).alias("key"),
        pl.lit(None, dtype=pl.Utf8).alias("token"),
        pl.col("name_id").cast(pl.UInt32),
    ).unique()
    return pl.concat(
        [
            token_keys, whole, glued_keys(names), common_pair_keys(tokens),
            initial_pair_keys(tokens), prefix_keys(names), spelling_keys(names),
            spelling_slip_keys(names),
        ]
    )


def glued_keys(names: pl.DataFrame) -> pl.DataFrame:
    """``g:`` keys of neighbouring words glued together, pointing at names.

    A query that joins two listed words ("STRATEGICFORCES") meets the name through them.
    """
    words = names.select(
        "name_id",
        pl.col("tokens").list.eval(pl.element().filter(~pl.element().str.starts_with("#"))),
    )
    pairs = words.with_columns(
        pl.concat_list(
            pl.col("tokens").list.slice(0, pl.col("tokens").list.len() - 1),
        ).alias("left"),
        pl.col("tokens").list.slice(1).alias("right"),
    ).filter(pl.col("right").list.len() > 0)
    return (
        pairs.explode("left", "right")
        .select(
            (pl.lit("g:") + pl.col("left") + pl.col("right")).alias("key"),
            pl.lit(None, dtype=pl.Utf8).alias("token"),
            pl.col("name_id").cast(pl.UInt32),
        )
        .unique()
    )


def is_common_word(token: pl.Expr, weight: pl.Expr) -> pl.Expr:
    """Words too common to create candidates alone (initials and class tokens excluded)."""
    return (
        (weight <= RARE_WEIGHT) & ~token.str.starts_with("#") & (token.str.len_chars() > 1)
    )


def pairing_words(tokens: pl.DataFrame) -> pl.DataFrame:
    """(tid): the words of ``tokens`` (the index's tokens table) that meet names only in
    pairs (``c2:`` and ``i2:`` keys): common words, and words carried by more than
    MAX_TOKEN_NAMES names, which blocking never expands alone ("Mohammad Rahmani" would
    otherwise meet no "Rahman, Mohamad" at all)."""
    carried = tokens.filter(pl.col("weight") > RARE_WEIGHT).group_by("tid").len()
    busy = carried.filter(pl.col("len") > MAX_TOKEN_NAMES)["tid"].implode()
    word = ~pl.col("token").str.starts_with("#") & (pl.col("token").str.len_chars() > 1)
    return (
        tokens.filter(
            is_common_word(pl.col("token"), pl.col("weight")) | (word & pl.col("tid").is_in(busy))
        )
        .select("tid")
        .unique()
    )


def common_pair_key(left: pl.Expr, right: pl.Expr) -> pl.Expr:
    """The ``c2:`` key of two variant groups of common words, in either order."""
    return pl.concat_str(
        pl.lit("c2:"), pl.min_horizontal(left, right), pl.lit("|"), pl.max_horizontal(left, right)
    )


def _without_busy(keys: pl.DataFrame) -> pl.DataFrame:
    """Name keys carried by more than MAX_TOKEN_NAMES names say too little: dropped."""
    busy = keys.group_by("key").len().filter(pl.col("len") > MAX_TOKEN_NAMES)
    return keys.join(busy.select("key"), on="key", how="anti")


def common_pair_keys(tokens: pl.DataFrame) -> pl.DataFrame:
    """``c2:`` keys of two common words of one name, pointing at names.

    A name made of common words only ("Mustafa Abdullahi") has no word that may create
    candidates; two of its common words together may, so a misspelt query of such a name
    still meets it. One common word twice ("Abdullah Abdullah") is a pair too. Pairs carried
    by more than MAX_TOKEN_NAMES names say too little.
    """
    common = tokens.join(pairing_words(tokens), on="tid", how="semi").select(
        "name_id", "pos", "canonical"
    )
    pairs = (
        common.join(common, on="name_id", suffix="_b")
        .filter(
            (pl.col("canonical") < pl.col("canonical_b"))
            | ((pl.col("canonical") == pl.col("canonical_b")) & (pl.col("pos") < pl.col("pos_b")))
        )
        .select(
            common_pair_key(pl.col("canonical"), pl.col("canonical_b")).alias("key"),
            pl.lit(None, dtype=pl.Utf8).alias("token"),
            pl.col("name_id").cast(pl.UInt32),
        )
        .unique()
    )
    return _without_busy(pairs)


def initial_pair_keys(tokens: pl.DataFrame) -> pl.DataFrame:
    """``i2:`` keys of the initial of one word of a name with a common word of it.

    "D. Mostafa" for "Djamel Mostafa": an initial and a common word create no candidates
    otherwise. A listed initial is its own initial ("N. Export" for "N.A.B. Export Co.").
    Pairs carried by more than MAX_TOKEN_NAMES names ("M. Mohammed") say too little.
    """
    common = tokens.join(pairing_words(tokens), on="tid", how="semi").select(
        "name_id", "pos", "canonical"
    )
    words = tokens.filter(~pl.col("token").str.starts_with("#")).select(
        "name_id", pl.col("pos").alias("pos_b"), pl.col("token").str.slice(0, 1).alias("i")
    )
    pairs = (
        common.join(words, on="name_id")
        .filter(pl.col("pos") != pl.col("pos_b"))
        .select(
            initial_pair_key(pl.col("i"), pl.col("canonical")).alias("key"),
            pl.lit(None, dtype=pl.Utf8).alias("token"),
            pl.col("name_id").cast(pl.UInt32),
        )
        .unique()
    )
    return _without_busy(pairs)


def initial_pair_key(initial: pl.Expr, common: pl.Expr) -> pl.Expr:
    """The ``i2:`` key of an initial and the variant group of a common word."""
    return pl.concat_str(pl.lit("i2:"), initial, pl.lit("|"), common)


def prefix_key(joined: pl.Expr) -> pl.Expr:
    """The ``t:`` key of a name: the first PREFIX_LETTERS letters of its words glued."""
    return pl.lit("t:") + joined.str.slice(0, PREFIX_LETTERS)


def prefix_keys(names: pl.DataFrame) -> pl.DataFrame:
    """``t:`` keys of names longer than PREFIX_LETTERS letters, pointing at names.

    A name cut by a payment field ("LIMITED LIABILITY COMPANY EUROTRANS") keeps its start, so
    it meets the full name through the start even when its last word is cut short. Prefixes
    carried by more than MAX_TOKEN_NAMES names say too little.
    """
    keys = names.filter(pl.col("joined").str.len_chars() > PREFIX_LETTERS).select(
        prefix_key(pl.col("joined")).alias("key"),
        pl.lit(None, dtype=pl.Utf8).alias("token"),
        pl.col("name_id").cast(pl.UInt32),
    ).unique()
    return _without_busy(keys)


def spelling_keys(names: pl.DataFrame) -> pl.DataFrame:
    """``j:`` keys of whole names spelt without spaces (SPELLING_MIN_LETTERS letters or more),
    pointing at names: a query whose words are joined or split elsewhere ("INVESTCAPITALBANK",
    "Hara Ins titute") meets the name it spells."""
    return names.filter(pl.col("joined").str.len_chars() >= SPELLING_MIN_LETTERS).select(
        spelling_key(pl.col("joined")).alias("key"),
        pl.lit(None, dtype=pl.Utf8).alias("token"),
        pl.col("name_id").cast(pl.UInt32),
    ).unique()


def spelling_key(joined: pl.Expr) -> pl.Expr:
    return pl.lit("j:") + joined


def spelling_slip_keys(names: pl.DataFrame) -> pl.DataFrame:
    """``k:`` keys of whole spellings of SLIP_SPELLING_MIN_LETTERS letters or more, pointing
    at names: a query one edit from a listed spelling ("Haji Abd al-Basir" and "Hajji
    Abdelnasser", "abdalbasir"/"abdalnasir") shares one (``with_slip_keys``), and the
    scorer's whole-name comparison rates it a hit; no word of the query need meet the name.
    Keys carried by more than MAX_TOKEN_NAMES names say too little."""
    keys = with_slip_keys(names.select("joined", pl.col("name_id").cast(pl.UInt32))).select(
        "key", pl.lit(None, dtype=pl.Utf8).alias("token"), "name_id"
    ).unique()
    return _without_busy(keys)


def with_slip_keys(frame: pl.DataFrame) -> pl.DataFrame:
    """The rows of ``frame`` whose ``joined`` spelling has SLIP_SPELLING_MIN_LETTERS letters
    or more, once per ``k:`` key (column ``key``): the spelling with each letter in turn left
    out, and whole. Two spellings one edit apart (a letter changed, added or dropped, two
    neighbours swapped) share one."""
    size, at, joined = pl.col("joined").str.len_chars(), pl.col("at"), pl.col("joined")
    return (
        frame.filter(size >= SLIP_SPELLING_MIN_LETTERS)
        .with_columns(pl.int_ranges(0, size + 1).alias("at"))
        .explode("at")
        .with_columns(
            pl.concat_str(pl.lit(SLIP_PREFIX), joined.str.slice(0, at), joined.str.slice(at + 1))
            .alias("key")
        )
        .drop("at")
    )


def whole_name_key(tokens: pl.Expr) -> pl.Expr:
    """Key of a whole name: its tokens sorted, legal-form classes left out."""
    return pl.lit("n:") + tokens.list.eval(
        pl.element().filter(~pl.element().str.starts_with("#"))
    ).list.sort().list.join(" ")


def build_index(store: ListStore, snapshots: list[Snapshot] | None = None) -> ScreeningIndex:
    """Build the index over the given snapshots (default: every current snapshot)."""
    snaps = snapshots if snapshots is not None else store.current_snapshots()
    names = indexed_names(_name_rows(store, snaps))
    tables = build_tables(names)
    return ScreeningIndex(
        names=names,
        tokens=tables["tokens"],
        keys=tables["keys"],
        entities=_entities(store, snaps),
        identifiers=_identifiers(store, snaps),
        token_info=tables["token_info"],
        snapshots=[
            {"list_id": s.list_id, "version": s.version, "snapshot_id": s.snapshot_id}
            for s in snaps
        ],
    )


@cache
def reference_data_digest() -> str:
    """A digest of every reference data file the tokeniser reads."""
    digest = hashlib.sha256()
    for path in sorted(REFERENCE_DATA.glob("*.yml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def cache_key(snapshots: list[Snapshot]) -> str:
    ids = ",".join(str(s.snapshot_id) for s in sorted(snapshots, key=lambda s: s.snapshot_id))
    text = f"{INDEX_VERSION}|{reference_data_digest()}|{ids}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def save_index(index: ScreeningIndex, folder: Path) -> None:
    tmp = folder.with_name(folder.name + ".tmp")
    tmp.mkdir(parents=True, exist_ok=True)
    for table in _TABLES:
        getattr(index, table).write_parquet(tmp / f"{table}.parquet")
    (tmp / "snapshots.json").write_text(json.dumps(index.snapshots), encoding="utf-8")
    tmp.rename(folder)  # appears whole or not at all


def read_index(folder: Path) -> ScreeningIndex:
    tables = {t: pl.read_parquet(folder / f"{t}.parquet") for t in _TABLES}
    snapshots = json.loads((folder / "snapshots.json").read_text(encoding="utf-8"))
    return ScreeningIndex(snapshots=snapshots, **tables)


def load_or_build(store: ListStore, cache_dir: Path | None) -> ScreeningIndex:
    """The index of the current snapshots, from the disk cache when it is there."""
    snaps = store.current_snapshots()
    if cache_dir is None:
        return build_index(store, snaps)
    folder = cache_dir / cache_key(snaps)
    if (folder / "snapshots.json").exists():
        return read_index(folder)
    index = build_index(store, snaps)
    if not folder.exists():
        save_index(index, folder)
    return index
