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
already has the maximum 5 words.

Windows cut a text into normalised tokens, so they lose what says how a name is written (the
comma of "MAKAROV, Aleksey", the dots of "J.A.J. BARBOSA Y CIA. S.C.S.") and cannot hold a name
of more than 5 words. So each text is also cut into segments, as written: the runs between
remittance words (payment, invoice, behalf...), reference numbers (4+ digits) and punctuation
that never sits inside a name (; : / ( ) |), with connector words trimmed at both ends
("of BANK OF KUNLUN" -> "BANK OF KUNLUN"). A segment of at most 10 words is screened whole, like
a name field (schema guessed from a legal form, screening.inputs.schema): it stands on its own
in the text, so it needs the same higher score as a window and must hold every word of the list
name but one middle name of a person. A one-word segment needs 5 letters and counts only against
a list name of one token, legal forms included. The best hit per (text, entity) is kept.

Texts are scanned once per ``scan_text``: the digits of number words (no letters, a run of 4+
digits: "Invoice 86350", "Loan repayment 3825") are zeroed first. Such a word never reaches a
window (a window holds no digit) nor a segment (it breaks segments, whole), and zeroing keeps
its tokens and punctuation where they are, so hits do not change; but a million remittance
lines that differ only by their reference numbers become a few hundred texts to scan.
"""

from __future__ import annotations

import polars as pl

from screening.inputs.schema import inferred_schema
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
# Filler words that may also sit inside a name ("BANK OF KUNLUN", "RELIEF AND DEVELOPMENT"):
# they end no segment, they are only trimmed off its ends.
_CONNECTOR_WORDS = "a an and as at by for from in into of on or per the to via with"
CONNECTORS = frozenset(_CONNECTOR_WORDS.split())
MAX_SEGMENT_WORDS = 10
_CUT = "\x1f"
_SEGMENT_BREAKS = (
    r"(?i)\b(?:" + "|".join(sorted(FILLER - CONNECTORS)) + r")\b"  # remittance words
    + r"|\S*\d{4,}\S*"  # reference numbers, dates, amounts
    + r"|[;:/()\[\]|\n\r\t<>=+*#?!\"]"  # punctuation that is never inside a name
)
_EDGE_CONNECTORS = (
    r"(?i)^(?:(?:" + "|".join(sorted(CONNECTORS)) + r")\b[\s,.]*)+"
    + r"|(?:[\s,]+\b(?:" + "|".join(sorted(CONNECTORS)) + r"))+$"
)
# A window needs one token at least this rare (tokens unknown to the index count as rare).
MIN_WINDOW_WEIGHT = 0.5
HIT_COLUMNS = (
    "text_id", "entity_id", "list_id", "caption", "matched_name", "query_name", "score",
    "name_score", "method", "explanation", "algorithm", "algorithm_version", "threshold",
)


# A whitespace-delimited word without letters (or marks) holding a run of 4+ digits.
_NUMBER_WORD = r"^[^\s\p{L}\p{M}]*\d{4,}[^\s\p{L}\p{M}]*$"


def scan_text(text: pl.Expr) -> pl.Expr:
    """The text as scanned: every digit of its number words zeroed (see the module doc)."""
    words = text.str.extract_all(r"\s+|\S+")
    return words.list.eval(
        pl.when(pl.element().str.contains(_NUMBER_WORD))
        .then(pl.element().str.replace_all(r"\d", "0"))
        .otherwise(pl.element())
    ).list.join("")


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


def _token_weights(screener: Screener) -> pl.DataFrame:
    return screener.index.token_info.group_by("token").agg(pl.col("weight").max())


def _best_weight(token_lists: pl.DataFrame, column: str, info: pl.DataFrame) -> pl.DataFrame:
    """(``column``, best): the weight of the rarest token of each distinct token list
    (a token unknown to the index counts as rare, 1.0)."""
    distinct = token_lists.select(column).unique().with_row_index("wid")
    words = (
        distinct.explode(column).rename({column: "token"})
        .join(info, on="token", how="left")
        .group_by("wid").agg(pl.col("weight").fill_null(1.0).max().alias("best"))
    )
    return distinct.join(words, on="wid").select(column, "best")


def _screenable(cut: pl.DataFrame, screener: Screener) -> pl.DataFrame:
    """Windows worth screening: 2+ tokens with one distinctive token, or one rare token."""
    info = _token_weights(screener)
    scored = cut.join(_best_weight(cut, "window", info), on="window", how="left")
    single_ok = (pl.col("size") == 1) & (pl.col("best") >= 1.0) & (
        pl.col("window").list.first().str.len_chars() >= MIN_SINGLE_LETTERS
    )
    # An unknown single token (weight filled as 1.0) is not rare in the index: it is absent.
    known = pl.col("window").list.first().is_in(info["token"].implode())
    kept = scored.filter(
        ((pl.col("size") >= 2) & (pl.col("best") >= MIN_WINDOW_WEIGHT)) | (single_ok & known)
    )
    return kept.select("text_id", "size", pl.col("window").list.join(" ").alias("window"))


def _distinctive(queries: pl.DataFrame, screener: Screener) -> pl.DataFrame:
    """Segments (name, schema, words) with one token at least MIN_WINDOW_WEIGHT rare, as
    windows need: a segment of common words only ("consulting services", "Mohammed Ali") is
    skipped. ``words`` counts its tokens other than legal forms."""
    tokens = queries.with_columns(tokenise_names(queries["name"], queries["schema"])
                                  .alias("tokens"))
    best = _best_weight(tokens, "tokens", _token_weights(screener))
    return tokens.join(best, on="tokens", how="left").filter(
        pl.col("best") >= MIN_WINDOW_WEIGHT
    ).select("name", "schema", _name_words("tokens").alias("words"))


def _name_words(column: str) -> pl.Expr:
    """Tokens of a token list other than legal forms and other ``#`` marks."""
    return pl.col(column).list.eval(pl.element().filter(~pl.element().str.starts_with("#"))) \
        .list.len()


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


def segments(texts: pl.DataFrame) -> pl.DataFrame:
    """(text_id, segment) for the runs of each text between remittance words, reference
    numbers and non-name punctuation, as written; at most MAX_SEGMENT_WORDS words each."""
    cut = texts.select(
        "text_id",
        pl.col("free_text").fill_null("").str.replace_all(_SEGMENT_BREAKS, _CUT)
        .str.split(_CUT).alias("segment"),
    ).explode("segment")
    trimmed = cut.with_columns(
        pl.col("segment").str.strip_chars(" ,.-'&\u00a0")
        .str.replace_all(_EDGE_CONNECTORS, "").str.strip_chars(" ,.-'&\u00a0")
    )
    words = pl.col("segment").str.split(" ").list.eval(pl.element().filter(pl.element() != ""))
    letters = pl.col("segment").str.count_matches(r"\p{L}")
    return trimmed.with_columns(words.list.len().alias("words")).filter(
        pl.col("words").is_between(1, MAX_SEGMENT_WORDS)
        & ((pl.col("words") >= 2) & (letters >= 2) | (letters >= MIN_SINGLE_LETTERS))
    ).select("text_id", "segment").unique(maintain_order=True)


def _segment_hits(screener: Screener, texts: pl.DataFrame, cutoff: float) -> pl.DataFrame:
    """Hits of whole segments (text_id, window = segment as written, size, hit columns)."""
    cut = segments(texts)
    unique = cut.select(pl.col("segment").alias("name")).unique(maintain_order=True)
    if unique.height == 0:
        return pl.DataFrame()
    queries = _distinctive(unique.with_columns(
        inferred_schema(unique["name"], pl.Series("schema", [None] * unique.height, pl.Utf8))
    ), screener)
    if queries.height == 0:
        return pl.DataFrame()
    hits = screener.screen(queries.select("name", "schema"), threshold=cutoff, limit=None)
    found = hits.join(
        queries.select(pl.col("name").alias("window"), "words").with_row_index("row"), on="row"
    ).join(cut.rename({"segment": "window"}), on="window").with_columns(
        pl.lit(MAX_WINDOW, dtype=pl.Int64).alias("size")
    )
    lengths = screener.index.names.select(
        "entity_id", pl.col("name").alias("matched_name"),
        pl.col("tokens").list.len().alias("name_tokens"), _name_words("tokens").alias("name_words"),
    ).group_by("entity_id", "matched_name").agg(pl.col("name_tokens", "name_words").min())
    # A segment may miss one word of a person's list name (a middle name), no word of an
    # organisation's: "Electronic components" does not stand for "ELECTRONIC COMPONENTS
    # INDUSTRIES CO" nor "Oil and gas equipment" for "URALMASH OIL AND GAS EQUIPMENT". A single
    # word ("September") stands only for a one-token list name, legal forms counted, or
    # "LIMITED LIABILITY COMPANY SEPTEMBER" would match every month's rent.
    return found.join(lengths, on=["entity_id", "matched_name"], how="left").filter(
        (pl.col("words") + (pl.col("schema") == "Person").cast(pl.Int64)
         >= pl.col("name_words").fill_null(0))
        & ((pl.col("words") >= 2) | (pl.col("name_tokens").fill_null(0) <= 1))
    )


def _window_hits(screener: Screener, texts: pl.DataFrame, cutoff: float) -> pl.DataFrame:
    """Hits of token windows that account for every word of the list name they match."""
    cut = _screenable(windows(texts), screener)
    unique = cut.select("window").unique(maintain_order=True)
    if unique.height == 0:
        return pl.DataFrame()
    hits = screener.screen(
        unique.select(pl.col("window").alias("name")), threshold=cutoff, limit=None
    )
    found = hits.join(unique.with_row_index("row"), on="row").join(
        cut.select("text_id", "window", "size").unique(), on="window"
    )
    return _covered(found, screener)


def scan(
    screener: Screener, texts: pl.DataFrame, threshold: float | None = None
) -> pl.DataFrame:
    """Hits of listed names inside ``texts`` (text_id, free_text): one row per (text, entity)."""
    cutoff = text_threshold(screener.default_threshold if threshold is None else threshold)
    keyed = texts.select("text_id", scan_text(pl.col("free_text").fill_null("")).alias("scan"))
    distinct = keyed.select(pl.col("scan").unique(maintain_order=True)).with_row_index("scan_id")
    scanned = distinct.select(pl.col("scan_id").cast(pl.Int64).alias("text_id"),
                              pl.col("scan").alias("free_text"))
    found = _distinct_hits(screener, scanned, cutoff)
    if found.height == 0:
        return _empty()
    per_text = keyed.join(distinct, on="scan").select(
        "text_id", pl.col("scan_id").cast(pl.Int64)
    )
    return found.rename({"text_id": "scan_id"}).join(per_text, on="scan_id").select(
        HIT_COLUMNS
    ).sort("text_id", "score", descending=[False, True], maintain_order=True)


def _distinct_hits(screener: Screener, texts: pl.DataFrame, cutoff: float) -> pl.DataFrame:
    """``scan`` of distinct texts (text_id, free_text) at the text cutoff."""
    parts = [
        part for part in (
            _window_hits(screener, texts, cutoff), _segment_hits(screener, texts, cutoff)
        ) if part.height
    ]
    if not parts:
        return _empty()
    columns = [c for c in parts[0].columns if all(c in p.columns for p in parts)]
    found = pl.concat([p.select(columns) for p in parts], how="vertical_relaxed")
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
