"""Qualifiers: secondary attributes that raise or lower a name score, each with its reason.

All computed on columns of the hit frame. Each qualifier adds an adjustment column and a detail
column of plain words for the explanation; a missing attribute on either side changes nothing
and says so.
"""

from __future__ import annotations

import polars as pl

from screening.algorithms import Algorithm

_EMPTY = pl.lit(None, dtype=pl.Utf8)


def _year(value: pl.Expr) -> pl.Expr:
    return value.str.slice(0, 4).cast(pl.Int32, strict=False)


def birth_date_qualifier(hits: pl.DataFrame, algorithm: Algorithm) -> pl.DataFrame:
    """Compare the query's date of birth with each listed one; keep the closest.

    Exact date, same year with unknown day, day/month swapped and within a listed range count as
    agreement; a year that differs by more than one (outside any range) lowers the score.
    """
    if "birth_date" not in hits.columns:
        return hits.with_columns(
            pl.lit(0.0).alias("dob_adjust"), pl.lit("no date of birth given").alias("dob_detail")
        )
    exploded = (
        hits.select("hid", "birth_date", "birth_dates", "birth_untils")
        .filter(pl.col("birth_date").is_not_null() & (pl.col("birth_dates").list.len() > 0))
        .explode("birth_dates", "birth_untils")
        .rename({"birth_dates": "listed", "birth_untils": "until"})
    )
    q, listed, until = pl.col("birth_date"), pl.col("listed"), pl.col("until")
    swapped = (
        q.str.slice(0, 5) + q.str.slice(8, 2) + pl.lit("-") + q.str.slice(5, 2)
    )
    in_range = (_year(q) >= _year(listed)) & (_year(q) <= _year(until))
    relation = (
        pl.when(q == listed).then(pl.lit(0))
        .when((listed.str.len_chars() == 10) & (q.str.len_chars() == 10) & (swapped == listed))
        .then(pl.lit(1))
        .when(
            in_range
            & ((listed.str.len_chars() < 10) | (q.str.len_chars() < 10) | (until != listed))
        )
        .then(pl.lit(2))
        .when(_year(q) == _year(listed)).then(pl.lit(3))
        .when((_year(q) - _year(listed)).abs() <= 1).then(pl.lit(4))
        .otherwise(pl.lit(5))
    )
    best = (
        exploded.with_columns(relation.alias("relation"))
        .sort("hid", "relation", maintain_order=True)  # ties: the first listed date, always
        .unique("hid", keep="first")
    )
    adjust = {
        0: algorithm.dob_match_bonus, 1: 0.0, 2: 0.0, 3: algorithm.dob_day_mismatch,
        4: algorithm.dob_day_mismatch, 5: algorithm.dob_year_mismatch,
    }
    words = {
        0: "date of birth {q} matches the listed {l}",
        1: "date of birth {q} matches the listed {l} with day and month swapped",
        2: "date of birth {q} agrees with the listed {l}",
        3: "year of birth agrees but the full date {q} differs from the listed {l}",
        4: "date of birth {q} is within a year of the listed {l}",
        5: "date of birth {q} does not match the listed {l}",
    }
    label = pl.when(until != listed).then(listed + pl.lit(" to ") + until).otherwise(listed)
    detail = pl.lit("")
    for code, template in words.items():
        pre, rest = template.split("{q}")
        mid, post = rest.split("{l}")
        detail = pl.when(pl.col("relation") == code).then(
            pl.lit(pre) + q + pl.lit(mid) + label + pl.lit(post)
        ).otherwise(detail)
    best = best.select(
        "hid",
        pl.col("relation").replace_strict(adjust, return_dtype=pl.Float64).alias("dob_adjust"),
        detail.alias("dob_detail"),
    )
    out = hits.join(best, on="hid", how="left")
    return out.with_columns(
        pl.col("dob_adjust").fill_null(0.0),
        pl.col("dob_detail").fill_null(
            pl.when(pl.col("birth_date").is_null())
            .then(pl.lit("no date of birth in the query"))
            .otherwise(pl.lit("no date of birth on the list entry"))
        ),
    )


def country_qualifier(hits: pl.DataFrame, algorithm: Algorithm) -> pl.DataFrame:
    """Compare the query's country and nationality with the entry's countries."""
    query_countries = [c for c in ("country", "nationality") if c in hits.columns]
    if not query_countries:
        return hits.with_columns(
            pl.lit(0.0).alias("country_adjust"), pl.lit("no country given").alias("country_detail")
        )
    q = pl.concat_list([pl.col(c) for c in query_countries]).list.drop_nulls().list.unique()
    hits = hits.with_columns(q.alias("_q_countries"))
    overlap = pl.col("_q_countries").list.set_intersection(pl.col("countries"))
    has_both = (pl.col("_q_countries").list.len() > 0) & (pl.col("countries").list.len() > 0)
    return hits.with_columns(
        pl.when(has_both & (overlap.list.len() > 0)).then(algorithm.country_match_bonus)
        .when(has_both).then(algorithm.country_mismatch)
        .otherwise(0.0)
        .alias("country_adjust"),
        pl.when(has_both & (overlap.list.len() > 0))
        .then(pl.lit("country ") + overlap.list.join(", ") + pl.lit(" matches the list entry"))
        .when(has_both)
        .then(
            pl.lit("country ") + pl.col("_q_countries").list.join(", ")
            + pl.lit(" differs from the listed ") + pl.col("countries").list.join(", ")
        )
        .when(pl.col("_q_countries").list.len() == 0)
        .then(pl.lit("no country in the query"))
        .otherwise(pl.lit("no country on the list entry"))
        .alias("country_detail"),
    ).drop("_q_countries")


# What each schema can be (FollowTheMoney's matchable schemata): a person is never a company,
# a vessel or an aircraft; a legal entity is a person or an organisation.
_SCHEMA_KINDS: dict[str, frozenset[str]] = {
    "Person": frozenset({"person"}),
    "Organization": frozenset({"organisation"}),
    "Company": frozenset({"organisation"}),
    "PublicBody": frozenset({"organisation"}),
    "LegalEntity": frozenset({"person", "organisation"}),
    "Vessel": frozenset({"vessel"}),
    "Aircraft": frozenset({"aircraft"}),
}
_SCHEMA_WORDS = {
    "Person": "a person", "Organization": "an organisation", "Company": "a company",
    "PublicBody": "a public body", "LegalEntity": "a person or organisation",
    "Vessel": "a vessel", "Aircraft": "an aircraft",
}


def schema_adjustment(
    query_schema: str | None, entity_schema: str | None, algorithm: Algorithm
) -> tuple[float, str | None]:
    """The score change when a typed query cannot be the listed entity's kind, and why.

    An untyped query (a payment party of unknown kind) and unknown schemas change nothing.
    """
    query_kinds = _SCHEMA_KINDS.get(query_schema or "")
    entity_kinds = _SCHEMA_KINDS.get(entity_schema or "")
    if query_kinds is None or entity_kinds is None or query_kinds & entity_kinds:
        return 0.0, None
    detail = (
        f"the query is {_SCHEMA_WORDS[str(query_schema)]}, "
        f"the list entry {_SCHEMA_WORDS[str(entity_schema)]}"
    )
    return algorithm.schema_mismatch, detail


def schema_qualifier(hits: pl.DataFrame, algorithm: Algorithm) -> pl.DataFrame:
    """``schema_adjustment`` of every hit (query_schema, null when untyped; entity_schema)."""
    # Few distinct pairs of schemas: each is decided once and joined back.
    pairs = hits.select(
        pl.col("query_schema").fill_null(""), pl.col("entity_schema").fill_null("")
    ).unique()
    decided = [
        (q, e, *schema_adjustment(q or None, e or None, algorithm)) for q, e in pairs.iter_rows()
    ]
    table = pl.DataFrame(
        decided, orient="row",
        schema={"_q": pl.Utf8, "_e": pl.Utf8, "schema_adjust": pl.Float64,
                "schema_detail": pl.Utf8},
    )
    return hits.with_columns(
        pl.col("query_schema").fill_null("").alias("_q"),
        pl.col("entity_schema").fill_null("").alias("_e"),
    ).join(table, on=["_q", "_e"], how="left").drop("_q", "_e")
