"""Explanations of hits in words an analyst can read.

Built only for the hits that are returned (a small share of the pairs scored), from the token
alignment and the qualifier details computed on columns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import polars as pl

from screening.algorithms import Algorithm
from screening.nicknames import NICKNAME_SIM, are_nicknames, nickname_pairs
from screening.variants import canonical_token, canonical_tokens

_KIND_WORDS = {
    "primary": "primary name",
    "alias": "alias",
    "weak_alias": "weak (low-quality) alias",
    "former": "former name",
    "original_script": "original-script name",
}


def _sim_word(sim: float) -> str:
    if sim >= 0.999:
        return "same"
    if sim >= 0.95:
        return "spelling variant"
    if sim >= 0.85:
        return "close"
    return "similar"


def _pair_word(query: str, listed: str, sim: float) -> str:
    # A familiar form scores NICKNAME_SIM at least; a variant of one name 0.95.
    maybe = NICKNAME_SIM <= sim < 0.95
    if maybe and are_nicknames(query, listed, canonical_token(query), canonical_token(listed)):
        return "familiar form"
    return _sim_word(sim)


def alignment_text(
    aligned: list[dict[str, Any]], query_tokens: list[str], list_tokens: list[str]
) -> str:
    parts = [
        f"{query_tokens[a['qpos']]}={list_tokens[a['cpos']]} "
        f"({_pair_word(query_tokens[a['qpos']], list_tokens[a['cpos']], a['sim'])} "
        f"{a['sim']:.2f})"
        for a in sorted(aligned, key=lambda a: a["qpos"])
    ]
    used_q = {a["qpos"] for a in aligned}
    used_c = {a["cpos"] for a in aligned}
    missing_q = [t for i, t in enumerate(query_tokens) if i not in used_q and not t.startswith("#")]
    missing_c = [t for i, t in enumerate(list_tokens) if i not in used_c and not t.startswith("#")]
    text = "; ".join(parts) if parts else "no token pairs aligned"
    if missing_q:
        text += f"; query words not found in the list name: {', '.join(missing_q)}"
    if missing_c:
        text += f"; list words not in the query: {', '.join(missing_c)}"
    if any(t.startswith("#") for t in query_tokens + list_tokens):
        text += "; legal forms (LLC, Ltd, ...) ignored"
    return text


def explain_hits(
    hits: pl.DataFrame, aligned: pl.DataFrame, algorithm: Algorithm
) -> pl.Series:
    """One explanation per hit row (hits need pid, query_name, matched_name, name_kind, ...).

    The text of ``_explain_one`` for every hit, built on columns: Polars joins the aligned
    token pairs and the words left over, and Python formats each distinct number or detail
    text once (not once per hit).
    """
    frame = _with_optional_columns(hits).select(_USED).with_row_index(_HIT)
    frame = frame.join(
        _alignment_texts(frame, aligned), on=_HIT, how="left", maintain_order="left"
    )
    lines = [
        _name_line(frame, algorithm),
        _identifier_line(frame, algorithm),
        _qualifier_line(frame, "dob_detail", "dob_adjust"),
        _qualifier_line(frame, "country_detail", "country_adjust"),
        pl.when(_truthy("schema_detail")).then(
            _qualifier_line(frame, "schema_detail", "schema_adjust")
        ),
        pl.format("Final score {} with {}.", _floats(frame["score"], _two_places),
                  pl.lit(algorithm.label)),
    ]
    texts = frame.select(pl.concat_str(lines, separator=" ", ignore_nulls=True))
    return texts.to_series().alias("explanation").cast(pl.Utf8)


_HIT = "__hit"
_LIST = pl.List(pl.Utf8)
# Columns ``_explain_one`` reads with ``hit.get``: a missing one reads as None.
_OPTIONAL = ("name_kind", "id_kind", "id_value", "schema_detail", "schema_adjust", "read_as")
_USED = (
    "pid", "q_tokens", "c_tokens", "query_name", "matched_name", "caption", "list_id",
    "entity_id", "method", "name_score", "dob_detail", "dob_adjust", "country_detail",
    "country_adjust", "score", *_OPTIONAL,
)


def _with_optional_columns(hits: pl.DataFrame) -> pl.DataFrame:
    missing = [pl.lit(None, dtype=pl.Utf8).alias(c) for c in _OPTIONAL if c not in hits.columns]
    return hits.with_columns(missing) if missing else hits


def _truthy(column: str) -> pl.Expr:
    return pl.col(column).is_not_null() & (pl.col(column).cast(pl.Utf8) != "")


def _text(column: str) -> pl.Expr:
    """A text column as an f-string writes it: None for null."""
    return pl.col(column).cast(pl.Utf8).fill_null("None")


def _two_places(value: float) -> str:
    return f"{value:.2f}"


def _floats(values: pl.Series, render: Callable[[float], str]) -> pl.Series:
    """``render`` of each value, called once per distinct value; null stays null.

    Values are told apart by their bits, so that -0.0 and 0.0 keep their own text.
    """
    bits = values.cast(pl.Float64).fill_null(0.0).to_numpy().view(np.int64)
    distinct, inverse = np.unique(bits, return_inverse=True)
    texts = np.array([render(float(v)) for v in distinct.view(np.float64)], dtype=object)
    rendered = pl.Series(values.name, texts[inverse].tolist(), dtype=pl.Utf8)
    return rendered.set(values.is_null(), None) if values.null_count() else rendered


def _strings(values: pl.Series, render: Callable[[str], str]) -> pl.Series:
    """``render`` of each text, called once per distinct text; null stays null."""
    distinct = values.drop_nulls().unique().to_list()
    return values.replace_strict(
        distinct, [render(value) for value in distinct], default=None, return_dtype=pl.Utf8
    )


def _name_line(frame: pl.DataFrame, algorithm: Algorithm) -> pl.Expr:
    kind = pl.col("name_kind").cast(pl.Utf8).fill_null("None").replace(_KIND_WORDS)
    weak = pl.when(pl.col("name_kind") == "weak_alias").then(
        pl.lit(f" (weak aliases count {algorithm.weak_alias_factor:.2f} of a strong name)")
    ).otherwise(pl.lit(""))
    # A name in another script met the list name through one of its further readings.
    read_as = pl.when(pl.col("read_as").is_not_null()).then(
        pl.format(" (read as '{}')", pl.col("read_as"))
    ).otherwise(pl.lit(""))
    line = pl.format(
        "Query name '{}'{} compared with the {} '{}' of {} ({} {}) by {}: {}. Name score {}{}.",
        _text("query_name"), read_as, kind, _text("matched_name"), _text("caption"),
        _text("list_id"),
        _text("entity_id"), _text("method"), pl.col("alignment"),
        _floats(frame["name_score"], _two_places), weak,
    )
    return pl.when(pl.col("pid").is_not_null()).then(line)


def _identifier_line(frame: pl.DataFrame, algorithm: Algorithm) -> pl.Expr:
    line = pl.format(
        "Identifier {} ({}) is listed for this entry: strong evidence on its own, "
        f"score at least {algorithm.identifier_score:.2f}.",
        _text("id_value"), _text("id_kind"),
    )
    return pl.when(_truthy("id_kind")).then(line)


def _qualifier_line(frame: pl.DataFrame, detail: str, adjust: str) -> pl.Expr:
    return pl.format(
        "{} ({}).", _strings(frame[detail], _capital), _floats(frame[adjust], _signed)
    )


def _alignment_texts(frame: pl.DataFrame, aligned: pl.DataFrame) -> pl.DataFrame:
    """(hit, alignment): ``alignment_text`` of every hit with a name pair (pid)."""
    hits = frame.filter(pl.col("pid").is_not_null()).select(
        _HIT, "pid",
        pl.col("q_tokens").fill_null(pl.lit([], dtype=_LIST)).alias("q"),
        pl.col("c_tokens").fill_null(pl.lit([], dtype=_LIST)).alias("c"),
    )
    pairs = (
        aligned.select("pid", "qpos", "cpos", "sim").with_row_index("__arow")
        .join(hits, on="pid")
    )
    pairs = pairs.with_columns(
        pl.col("q").list.get(pl.col("qpos")).alias("q_word"),
        pl.col("c").list.get(pl.col("cpos")).alias("c_word"),
    )
    familiar = pl.Series(_familiar(pairs["q_word"], pairs["c_word"], pairs["sim"]))
    sim_text = _floats(pairs["sim"], _sim_text)
    pairs = pairs.with_columns(
        pl.format(
            "{}={} ({})", "q_word", "c_word",
            pl.when(familiar).then(pl.format("familiar form {}", _floats(pairs["sim"], _two)))
            .otherwise(sim_text),
        ).alias("part")
    )
    # Pairs in query order; pairs at one query position keep the order of ``aligned``
    # (a group keeps the order of its rows).
    joined = (
        pairs.select(_HIT, "qpos", "__arow", "part")
        .sort(_HIT, "qpos", "__arow")
        .group_by(_HIT)
        .agg("part")
        .select(_HIT, pl.col("part").list.join("; ").alias("parts"))
    )
    text = pl.concat_str(
        [
            pl.col("parts").fill_null(pl.lit("no token pairs aligned")),
            pl.lit("; query words not found in the list name: ") + pl.col("missing_q"),
            pl.lit("; list words not in the query: ") + pl.col("missing_c"),
            pl.when(pl.col("legal")).then(pl.lit("; legal forms (LLC, Ltd, ...) ignored")),
        ],
        ignore_nulls=True,
    )
    return (
        hits.select(_HIT, legal=_any_class_token("q") | _any_class_token("c"))
        .join(joined, on=_HIT, how="left")
        .join(_unpaired(hits, pairs, "q", "qpos", "missing_q"), on=_HIT, how="left")
        .join(_unpaired(hits, pairs, "c", "cpos", "missing_c"), on=_HIT, how="left")
        .select(_HIT, text.alias("alignment"))
    )


def _any_class_token(tokens: str) -> pl.Expr:
    return pl.col(tokens).list.eval(pl.element().str.starts_with("#")).list.any()


def _unpaired(
    hits: pl.DataFrame, pairs: pl.DataFrame, tokens: str, position: str, name: str
) -> pl.DataFrame:
    """(hit, name): the words of ``tokens`` in no aligned pair, class tokens left out,
    joined with ", "; hits with none are absent."""
    words = (
        hits.select(_HIT, pl.col(tokens).alias("word"),
                    pl.int_ranges(pl.col(tokens).list.len()).alias(position))
        .explode("word", position)
        .filter(pl.col("word").is_not_null() & ~pl.col("word").str.starts_with("#"))
    )
    used = pairs.select(_HIT, pl.col(position).cast(words.schema[position]))
    return (
        words.join(used, on=[_HIT, position], how="anti", maintain_order="left")
        .group_by(_HIT)
        .agg("word")
        .select(_HIT, pl.col("word").list.join(", ").alias(name))
    )


def _sim_text(sim: float) -> str:
    return f"{_sim_word(sim)} {sim:.2f}"


def _two(sim: float) -> str:
    return f"{sim:.2f}"


def _familiar(query: pl.Series, listed: pl.Series, sim: pl.Series) -> np.ndarray:
    """Whether each word pair is a given name and a familiar form of it (``_pair_word``)."""
    found = np.zeros(query.len(), dtype=bool)
    maybe = np.flatnonzero(((sim >= NICKNAME_SIM) & (sim < 0.95)).fill_null(value=False))
    if maybe.size == 0:
        return found
    query, listed = query.gather(maybe), listed.gather(maybe)
    found[maybe] = nickname_pairs(
        query.to_numpy(), listed.to_numpy(),
        canonical_tokens(query).to_numpy(), canonical_tokens(listed).to_numpy(),
    )
    return found


def _explain_one(hit: dict[str, Any], aligned: list[dict[str, Any]], algorithm: Algorithm) -> str:
    kind = _KIND_WORDS.get(str(hit.get("name_kind")), str(hit.get("name_kind")))
    lines = []
    if hit.get("pid") is not None:
        lines.append(
            f"Query name '{hit['query_name']}'{_read_as(hit.get('read_as'))} compared with the "
            f"{kind} '{hit['matched_name']}' "
            f"of {hit['caption']} ({hit['list_id']} {hit['entity_id']}) by {hit['method']}: "
            + alignment_text(aligned, hit["q_tokens"] or [], hit["c_tokens"] or [])
            + f". Name score {hit['name_score']:.2f}"
            + (
                f" (weak aliases count {algorithm.weak_alias_factor:.2f} of a strong name)"
                if hit.get("name_kind") == "weak_alias"
                else ""
            )
            + "."
        )
    if hit.get("id_kind"):
        lines.append(
            f"Identifier {hit['id_value']} ({hit['id_kind']}) is listed for this entry: "
            f"strong evidence on its own, score at least {algorithm.identifier_score:.2f}."
        )
    lines.append(f"{_capital(hit['dob_detail'])} ({_signed(hit['dob_adjust'])}).")
    lines.append(f"{_capital(hit['country_detail'])} ({_signed(hit['country_adjust'])}).")
    if hit.get("schema_detail"):
        lines.append(f"{_capital(hit['schema_detail'])} ({_signed(hit['schema_adjust'])}).")
    lines.append(f"Final score {hit['score']:.2f} with {algorithm.label}.")
    return " ".join(lines)


def _read_as(reading: str | None) -> str:
    return "" if reading is None else f" (read as '{reading}')"


def _signed(value: float) -> str:
    return "no change" if abs(value) < 1e-9 else f"{value:+.2f}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
