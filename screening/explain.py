"""Explanations of hits in words an analyst can read.

Built only for the hits that are returned (a small share of the pairs scored), from the token
alignment and the qualifier details computed on columns.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import polars as pl

from screening.algorithms import Algorithm

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


def alignment_text(
    aligned: list[dict[str, Any]], query_tokens: list[str], list_tokens: list[str]
) -> str:
    parts = [
        f"{query_tokens[a['qpos']]}={list_tokens[a['cpos']]} "
        f"({_sim_word(a['sim'])} {a['sim']:.2f})"
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
    """One explanation per hit row (hits need pid, query_name, matched_name, name_kind, ...)."""
    by_pid: dict[int, list[dict[str, Any]]] = defaultdict(list)
    wanted = set(hits["pid"].drop_nulls().to_list())
    for row in aligned.filter(pl.col("pid").is_in(list(wanted))).iter_rows(named=True):
        by_pid[row["pid"]].append(row)
    texts = []
    for hit in hits.iter_rows(named=True):
        texts.append(_explain_one(hit, by_pid.get(hit["pid"], []), algorithm))
    return pl.Series("explanation", texts, dtype=pl.Utf8)


def _explain_one(hit: dict[str, Any], aligned: list[dict[str, Any]], algorithm: Algorithm) -> str:
    kind = _KIND_WORDS.get(str(hit.get("name_kind")), str(hit.get("name_kind")))
    lines = []
    if hit.get("pid") is not None:
        lines.append(
            f"Query name '{hit['query_name']}' compared with the {kind} '{hit['matched_name']}' "
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


def _signed(value: float) -> str:
    return "no change" if abs(value) < 1e-9 else f"{value:+.2f}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
