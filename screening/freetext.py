"""Listed names and vessel names found INSIDE free text (remittance info, :70:/:72:, comments).

A remittance line is not a name: comparing "PAYMENT ON BEHALF OF AYMAN AL ZAWAHIRI" as a whole
to list names would dilute the name among the other words. Instead the text is tokenised like a
name, every run of 1 to 5 consecutive tokens (a window) is screened as a name, and a window
must clear a higher bar than a name field (max(threshold, 0.88)) because any text holds many
windows. A one-token window counts only when the token is rare in the index (weight 1.0) and
has at least 5 letters; windows with digits, starting or ending with a filler word, ending with
a name particle (al, bin, abu...) or made only of common tokens (Mohammed Ali) are skipped. A
hit must account for every word of the list name it matched (the text around a window is
there to read, so "Abu Bakr" alone does not stand for "Ahmad, Abu Bakr"), unless the window
already has the maximum 5 words. The best hit per (text, entity) is kept.
"""

from __future__ import annotations

import polars as pl

from screening.normalise import tokenise_names
from screening.screener import Screener

MAX_WINDOW = 5
MIN_TEXT_SCORE = 0.88
MIN_SINGLE_LETTERS = 5
# Words that open or close remittance phrases but never a listed name; a window starting or
# ending with one is the same name with noise around it, already covered by a tighter window.
_FILLER_WORDS = """
a an and as at by for from in into of on or per re the to via with behalf payment pay
paid invoice inv ref reference transfer trf salary rent fee fees thanks thank you please
our your my his her their order loan gift family support help donation purchase
"""
FILLER = frozenset(_FILLER_WORDS.split())
# Name particles: a window ending with one is a name cut short ("bakr al").
_PARTICLE_WORDS = "al el ul bin ben ibn bint abu abou abd umm de da di du van von der la le"
PARTICLES = frozenset(_PARTICLE_WORDS.split())
# A window needs one token at least this rare (tokens unknown to the index count as rare).
MIN_WINDOW_WEIGHT = 0.5
HIT_COLUMNS = (
    "text_id", "entity_id", "list_id", "caption", "matched_name", "query_name", "score",
    "name_score", "method", "explanation", "algorithm", "algorithm_version", "threshold",
)


def text_threshold(threshold: float) -> float:
    return max(threshold, MIN_TEXT_SCORE)


def windows(texts: pl.DataFrame) -> pl.DataFrame:
    """(text_id, window, size) for every run of 1..5 tokens of each text, vectorised.

    ``texts`` has columns ``text_id`` and ``free_text``.
    """
    tokens = texts.select(
        "text_id", tokenise_names(texts["free_text"].fill_null("")).alias("tokens")
    ).filter(pl.col("tokens").list.len() > 0)
    starts = tokens.with_columns(pl.int_ranges(pl.col("tokens").list.len()).alias("start"))
    starts = starts.explode("start")
    sized = starts.join(
        pl.DataFrame({"size": list(range(1, MAX_WINDOW + 1))}, schema={"size": pl.Int64}),
        how="cross",
    ).filter(pl.col("start") + pl.col("size") <= pl.col("tokens").list.len())
    cut = sized.select(
        "text_id", "size",
        pl.col("tokens").list.slice(pl.col("start"), pl.col("size")).alias("window"),
    )
    return cut.filter(
        ~pl.col("window").list.eval(pl.element().str.contains(r"\d")).list.any()
        & ~pl.col("window").list.first().is_in(list(FILLER))
        & ~pl.col("window").list.last().is_in(list(FILLER | PARTICLES))
    ).select("text_id", "size", "window")


def _screenable(cut: pl.DataFrame, screener: Screener) -> pl.DataFrame:
    """Windows worth screening: 2+ tokens with one distinctive token, or one rare token."""
    info = screener.index.token_info.group_by("token").agg(pl.col("weight").max())
    distinct = cut.select("window").unique().with_row_index("wid")
    words = (
        distinct.explode("window").rename({"window": "token"})
        .join(info, on="token", how="left")
        .group_by("wid").agg(pl.col("weight").fill_null(1.0).max().alias("best"))
    )
    keyed = distinct.join(words, on="wid")
    scored = cut.join(keyed.select("window", "best"), on="window", how="left")
    single_ok = (pl.col("size") == 1) & (pl.col("best") >= 1.0) & (
        pl.col("window").list.first().str.len_chars() >= MIN_SINGLE_LETTERS
    )
    # An unknown single token (weight filled as 1.0) is not rare in the index: it is absent.
    known = pl.col("window").list.first().is_in(info["token"].implode())
    kept = scored.filter(
        ((pl.col("size") >= 2) & (pl.col("best") >= MIN_WINDOW_WEIGHT)) | (single_ok & known)
    )
    return kept.select("text_id", "size", pl.col("window").list.join(" ").alias("window"))


def _covered(found: pl.DataFrame, screener: Screener) -> pl.DataFrame:
    """Hits whose matched list name has no more words than the window (or a 5-word window)."""
    lengths = screener.index.names.select(
        "entity_id", pl.col("name").alias("matched_name"),
        pl.col("tokens").list.eval(pl.element().filter(~pl.element().str.starts_with("#")))
        .list.len().alias("name_words"),
    ).group_by("entity_id", "matched_name").agg(pl.col("name_words").min())
    return found.join(lengths, on=["entity_id", "matched_name"], how="left").filter(
        (pl.col("name_words").fill_null(0) <= pl.col("size")) | (pl.col("size") >= MAX_WINDOW)
    )


def scan(
    screener: Screener, texts: pl.DataFrame, threshold: float | None = None
) -> pl.DataFrame:
    """Hits of listed names inside ``texts`` (text_id, free_text): one row per (text, entity)."""
    cutoff = text_threshold(screener.default_threshold if threshold is None else threshold)
    cut = _screenable(windows(texts), screener)
    unique = cut.select("window").unique(maintain_order=True)
    if unique.height == 0:
        return _empty()
    hits = screener.screen(
        unique.select(pl.col("window").alias("name")), threshold=cutoff, limit=None
    )
    found = hits.join(unique.with_row_index("row"), on="row").join(
        cut.select("text_id", "window", "size").unique(), on="window"
    )
    found = _covered(found, screener)
    best = found.sort(["score", "window"], descending=[True, False]).unique(
        ["text_id", "entity_id", "list_id"], keep="first"
    )
    return best.with_columns(
        pl.format("Found inside the free text: \"{}\". ", pl.col("window"))
        .add(pl.col("explanation")).alias("explanation"),
        pl.col("window").alias("query_name"),
    ).select(HIT_COLUMNS).sort("text_id", "score", descending=[False, True])


def _empty() -> pl.DataFrame:
    floats = ("score", "name_score", "threshold")
    return pl.DataFrame(
        schema={
            c: (pl.Float64 if c in floats else pl.Int64 if c == "text_id" else pl.Utf8)
            for c in HIT_COLUMNS
        }
    )
