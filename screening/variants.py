"""Name-variant groups: one id per family of spellings of the same name part.

`canonical_token` maps Muhammad/Mohammed/Md, Gaddafi/Qaddafi/Kadafi, Hussein/Husayn/Hossein
to one id each, first through the families in screening/data/name_variants.yml, then through a
generic folding key (q/k/g, c/k, p/b, v/f, kh/h, dj/j, ch/sh, th/s, o/u, e/i/y, double
letters, final -ah) so unlisted spellings land in the same group. The id is a blocking key and
a scoring hint: it may over-merge a little, it must not collapse unrelated names (Ivan/Ivanov,
Jon/Joan stay apart).

`merge_units` joins the Arabic theophoric names "Abd al-X" split over tokens into one token.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

import polars as pl

from screening import refdata

LEGAL_FORM_TOKEN = "#lf"  # noqa: S105  (a class token, not a password)
_FILE = "name_variants"
_CONNECTOR_VOWELS = ("", "u", "a", "e", "i", "o", "ou")
_CONNECTOR_CONSONANTS = ("", "l", "r", "s", "n", "d", "t", "z", "sh", "th", "dh")
_ARTICLE_STRIP_MIN = 4  # letters that must follow an attached al-/el- for it to be stripped


@cache
def _fold_rules() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple(
        (re.compile(pattern), repl) for pattern, repl in refdata.pair_list(_FILE, "fold_rules")
    )


def fold_key(token: str) -> str:
    """The generic spelling-folding key of a letters-only token (no family lookup)."""
    key = token
    for pattern, repl in _fold_rules():
        key = pattern.sub(repl, key)
    return key or token


# Fold rules with a lookaround, as Rust regex (no lookaround) and a replacement template.
# Consuming a lookahead's letters changes no later match (none of them starts the rule's
# own match), and a lookbehind before "$" has one match at most.
_REWRITTEN_RULES: dict[str, tuple[str, str]] = {
    "gu(?=[eiy])": ("gu([eiy])", "{}${1}"),
    "qu(?=[eiy])": ("qu([eiy])", "{}${1}"),
    "c(?=[^ceiy]|$)": ("c([^ceiy]|$)", "{}${1}"),
    "(?<=[aeiouy])j$": ("([aeiouy])j$", "${1}{}"),
    "(?<=....[^aeiouy])e$": ("(.{4}[^aeiouy])e$", "${1}{}"),
    "(?<=[aiu])h$": ("([aiu])h$", "${1}{}"),
    "\\Bw": ("\\Bw", "{}"),  # not a lookaround, but not plain letters: Rust regex has \B
}
_REPEATED_LETTER = ("(.)\\1+", "\\1")  # a run of one letter -> the letter
_LOWER = "abcdefghijklmnopqrstuvwxyz"
_ASCII_LETTERS = _LOWER + _LOWER.upper()
_Step = Callable[[pl.Expr], pl.Expr]


def _polars_step(pattern: str, repl: str) -> _Step | None:
    """One fold rule on a column of ASCII-letter tokens; None when it has no Polars form."""
    if (pattern, repl) == _REPEATED_LETTER:
        return _collapse_repeats
    if not re.fullmatch("[a-z]*", repl):
        return None
    if re.fullmatch("[a-z]+", pattern):
        return lambda keys: keys.str.replace_all(pattern, repl, literal=True)
    if pattern in _REWRITTEN_RULES:
        rust, template = _REWRITTEN_RULES[pattern]
        replacement = template.replace("{}", repl)
        return lambda keys: keys.str.replace_all(rust, replacement)
    return None


def _collapse_repeats(keys: pl.Expr) -> pl.Expr:
    """``(.)\\1+`` -> ``\\1`` for keys of ASCII letters (the rules before write letters only).

    Rust regex has no back-reference: one alternative per letter, each capturing its letter;
    the groups of the alternatives not taken expand to nothing.
    """
    pattern = "|".join(f"({letter}){letter}+" for letter in _ASCII_LETTERS)
    replacement = "".join(f"${{{group}}}" for group in range(1, len(_ASCII_LETTERS) + 1))
    return keys.str.replace_all(pattern, replacement)


@cache
def _polars_steps() -> tuple[_Step, ...] | None:
    steps = [_polars_step(pattern.pattern, repl) for pattern, repl in _fold_rules()]
    return None if any(step is None for step in steps) else tuple(s for s in steps if s)


def fold_keys(tokens: pl.Series) -> pl.Series:
    """``fold_key`` of each token of ASCII letters, the rules run by Polars over the column
    (``fold_key`` per token if a rule has no Polars form)."""
    steps = _polars_steps()
    if steps is None:
        return tokens.map_elements(fold_key, return_dtype=pl.Utf8)
    keys = pl.col("token")
    for step in steps:
        keys = step(keys)
    folded = pl.when(pl.col("key") == "").then(pl.col("token")).otherwise(pl.col("key"))
    frame = pl.DataFrame({"token": tokens}).with_columns(keys.alias("key"))
    return frame.select(folded).to_series().alias(tokens.name)


@cache
def _divine_names() -> dict[str, str]:
    """Spelling of the X in "Abd al-X" -> its id ("rahmane" -> "rahman")."""
    table: dict[str, str] = {}
    for name_id, spellings in refdata.list_map(_FILE, "theophoric").items():
        for spelling in (name_id, *spellings):
            table[spelling] = name_id
    return table


@cache
def _connectors() -> tuple[str, ...]:
    """Letters between "abd" and X when written as one word, longest first ("ul", "er", "")."""
    joined = {v + c for v in _CONNECTOR_VOWELS for c in _CONNECTOR_CONSONANTS}
    return tuple(sorted(joined, key=len, reverse=True))


@cache
def _prefixes() -> frozenset[str]:
    return frozenset(refdata.string_list(_FILE, "theophoric_prefixes"))


@cache
def _articles() -> frozenset[str]:
    return frozenset(refdata.list_map(_FILE, "families")["al"])


_UNIT_PREFIX = "abdal"


@cache
def _divine_ids() -> frozenset[str]:
    return frozenset(_divine_names().values()) - {"allah"}


def _unit(name_id: str) -> str:
    # Abd + Allah keeps Allah's own article: "abdallah"; the others get "abdal" + X.
    return "abd" + name_id if name_id == "allah" else _UNIT_PREFIX + name_id


def _divine(rest: str) -> str | None:
    return _spelt_divine(rest) or _slipped_divine().get(rest)


def _spelt_divine(rest: str) -> str | None:
    divine = _divine_names()
    if rest in divine:
        return divine[rest]
    # Sun-letter assimilation doubles the first letter: "abd-ur-rrahman", "abderrahmane".
    if len(rest) > 2 and rest[0] == rest[1] and rest[1:] in divine:
        return divine[rest[1:]]
    return None


# A slip in a divine name is read only in spellings this long: "hamiid", "ranman" are
# Hamid and Rahman, but a five-letter "basir" is a divine name of its own, not Basit.
_SLIPPED_DIVINE_MIN_LEN = 6


@cache
def _slipped_divine() -> dict[str, str]:
    """One slip (``one_slip``) from a spelling of the X in "Abd al-X" -> its id, for slipped
    spellings of _SLIPPED_DIVINE_MIN_LEN letters or more that are one slip from one id only
    and are no spelling themselves: "Abdul Hamiid" is Abd al-Hamid misspelt. A letter added
    at the end is no slip: "Hamidi", "Rahmani" are surnames of their own."""
    divine = _divine_names()
    ids: dict[str, set[str]] = {}
    for spelling, name_id in divine.items():
        for slip in one_slip(spelling):
            if (
                len(slip) >= _SLIPPED_DIVINE_MIN_LEN and slip not in divine
                and slip[:-1] not in divine
            ):
                ids.setdefault(slip, set()).add(name_id)
    return {slip: next(iter(found)) for slip, found in ids.items() if len(found) == 1}


# A unit written as one word with a slip in its "abd" ("ubdurrahman", "adbullah") is read
# only in words this long, and with its divine name spelt right: one slip in the word.
SLIPPED_ABD_MIN_LEN = 8


@cache
def slipped_abd() -> frozenset[str]:
    """"abd" with its first or second letter changed ("ubd", "apd") or two letters swapped
    ("adb", "bad"); not its "d": "abu" starts a kunya."""
    slips = {c + "bd" for c in _LOWER} | {"a" + c + "d" for c in _LOWER} | {"adb", "bad"}
    return frozenset(slips - {"abd"})


def may_be_joined_unit(token: str) -> bool:
    """The token may be a unit written as one word (``joined_unit``): it starts with "abd",
    or with a slip of it (``slipped_abd``) and is long enough."""
    return token.startswith("abd") or (
        len(token) >= SLIPPED_ABD_MIN_LEN and token[:3] in slipped_abd()
    )


def may_be_joined_units(tokens: pl.Expr) -> pl.Expr:
    """``may_be_joined_unit`` of each token, in Polars."""
    return tokens.str.starts_with("abd") | (
        (tokens.str.len_chars() >= SLIPPED_ABD_MIN_LEN)
        & tokens.str.slice(0, 3).is_in(list(slipped_abd()))
    )


@cache
def joined_unit(token: str) -> str | None:
    """The theophoric unit written as one token ("abdulrahman" -> "abdalrahman"; with a slip
    in "abd": "ubdurrahman"), else None."""
    if len(token) < 5 or not may_be_joined_unit(token):
        return None
    divine = _divine if token.startswith("abd") else _spelt_divine
    for connector in _connectors():
        if token.startswith(connector, 3):
            name_id = divine(token[3 + len(connector) :])
            if name_id:
                return _unit(name_id)
    return None


@cache
def slipped_prefixes() -> frozenset[str]:
    """One slip (a letter changed, added or two swapped) in a five-letter Abd prefix: "abful",
    "obdul", "adbul", "abdulk". Only slips that keep five letters or more: a dropped letter
    would turn "abdu" into "abu", which is another word."""
    slips = {
        slip for prefix in _prefixes() if len(prefix) == 5
        for slip in one_slip(prefix) if len(slip) >= 5
    }
    return frozenset(slips - _prefixes())


def one_slip(word: str) -> set[str]:
    """Every spelling one slip from ``word``: a letter dropped, added or changed, or two
    neighbouring letters swapped (optimal string alignment distance 1)."""
    slips: set[str] = set()
    for i in range(len(word) + 1):
        slips.update(word[:i] + c + word[i:] for c in _LOWER)
    for i in range(len(word)):
        slips.add(word[:i] + word[i + 1 :])
        slips.update(word[:i] + c + word[i + 1 :] for c in _LOWER)
        if i + 1 < len(word):
            slips.add(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
    slips.discard(word)
    return slips


def merge_units(tokens: list[str]) -> list[str]:
    """Join Arabic theophoric names into one token each.

    ["abd", "al", "rahman"], ["abdul", "rahman"], ["abdel", "rahman"], ["abdulrahman"] and
    ["abderrahmane"] all become ["abdalrahman"]; "abdullah" becomes "abdallah"; so does a
    slipped prefix before a divine name ("abful rahman"). A lone "abdul" followed by an ordinary
    name is left alone.
    """
    merged: list[str] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        maybe_unit = may_be_joined_unit(token) or token in slipped_prefixes()
        unit, used = _unit_at(tokens, index) if maybe_unit else (None, 1)
        merged.append(unit or token)
        index += used
    return merged


def _unit_at(tokens: list[str], index: int) -> tuple[str | None, int]:
    """The unit starting at tokens[index] and how many tokens it spans."""
    unit = joined_unit(tokens[index])
    if unit:
        return unit, 1
    if tokens[index] not in _prefixes() and tokens[index] not in slipped_prefixes():
        return None, 1
    following = index + 1
    if following < len(tokens) - 1 and tokens[following] in _articles():
        following += 1
    if following < len(tokens):
        name_id = _divine(tokens[following])
        if name_id:
            return _unit(name_id), following - index + 1
    return None, 1


@cache
def _family_of_member() -> dict[str, str]:
    table: dict[str, str] = {}
    for family, members in refdata.list_map(_FILE, "families").items():
        for member in (family, *members):
            table[member] = family
    return table


@cache
def _family_of_key() -> dict[str, str]:
    table: dict[str, str] = {}
    for member, family in _family_of_member().items():
        if member.isalpha() and len(member) > 2:
            table.setdefault(fold_key(member), family)
    return table


@cache
def _article_keep() -> frozenset[str]:
    return frozenset(refdata.string_list(_FILE, "article_keep"))


def _strip_attached_article(token: str) -> str:
    """ "alhouri" -> "houri"; never for "albert", "elena" or short remainders."""
    if token[:2] not in ("al", "el") or token in _article_keep():
        return token
    rest = token[2:]
    if len(rest) >= _ARTICLE_STRIP_MIN and rest[0] not in "aeiouy":
        return rest
    return token


_canonical_memo: dict[str, str] = {}


def canonical_token(token: str) -> str:
    """``_canonical_token`` of one token, remembered (``canonical_tokens`` fills the memo too)."""
    found = _canonical_memo.get(token)
    if found is None:
        found = _canonical_memo[token] = _canonical_token(token)
    return found


def _canonical_token(token: str) -> str:
    """The variant-group id of one normalised token.

    Family members map to the family id ("mohd" -> "muhammad"); theophoric units stay units;
    an attached article is dropped ("alhouri" -> same id as "houri"); other tokens get their
    folding key, or the family id when that key is a family member's key. Numbers and the
    legal-form class token are returned unchanged.
    """
    if not token.isalpha() or not token.isascii():
        return token
    family = _family_of_member().get(token)
    if family:
        return family
    stripped = _strip_attached_article(token)
    if stripped != token:
        return canonical_token(stripped)
    unit = joined_unit(token)
    if unit:
        return unit
    key = fold_key(token)
    return _family_of_key().get(key, key)


def canonical_tokens(tokens: pl.Series) -> pl.Series:
    """``canonical_token`` of each token, the generic folding run over the column at once.

    Tokens an attached article or an Abd unit may change ("al...", "el...", "abd...") go
    through ``canonical_token``; the others of letters only are a family member's id or their
    folding key's family or key; the rest are unchanged.
    """
    frame = pl.DataFrame({"token": tokens.cast(pl.Utf8)}).unique().drop_nulls()
    letters = pl.col("token").str.contains("^[A-Za-z]+$")
    prefixed = pl.col("token").str.contains("^(?:al|el|abd)")
    one_by_one = frame.filter(letters & prefixed)["token"].to_list()
    by_python = pl.DataFrame(
        {"token": pl.Series(one_by_one, dtype=pl.Utf8),
         "canonical": pl.Series([canonical_token(t) for t in one_by_one], dtype=pl.Utf8)}
    )  # fmt: skip
    plain = frame.filter(letters & ~prefixed)
    family, key_family = _family_of_member(), _family_of_key()
    keys = fold_keys(plain["token"])
    by_column = plain.with_columns(
        pl.col("token")
        .replace_strict(family, default=None, return_dtype=pl.Utf8)
        .fill_null(keys.replace_strict(key_family, default=keys, return_dtype=pl.Utf8))
        .alias("canonical")
    )
    other = frame.filter(~letters).with_columns(pl.col("token").alias("canonical"))
    table = pl.concat([by_python, by_column, other])
    _canonical_memo.update(zip(table["token"].to_list(), table["canonical"].to_list(), strict=True))
    looked_up = pl.DataFrame({"token": tokens.cast(pl.Utf8)}).join(
        table, on="token", how="left", maintain_order="left"
    )
    return looked_up["canonical"].alias(tokens.name)


@cache
def _common_tokens() -> frozenset[str]:
    return frozenset(refdata.string_list("stopwords", "common"))


@cache
def _common_ids() -> frozenset[str]:
    return frozenset(canonical_token(token) for token in _common_tokens())


def is_common(token: str) -> bool:
    """True for very common tokens that must not create a blocking candidate on their own.

    The fixed list in screening/data/stopwords.yml, extended to every spelling in the same
    variant group ("mohammed" is common because "muhammad" is).
    """
    return token in _common_tokens() or canonical_token(token) in _common_ids()


def abbreviated_unit_forms(tokens: list[str]) -> list[list[str]]:
    """The token lists of a person's name with one Abd al-X unit written "A. X".

    "Abdul Rahman Sindhi" is often written "A. Rahman Sindhi": its unit "abdalrahman" then
    meets neither word, so the index also holds ["a", "rahman", "sindhi"].
    """
    forms: list[list[str]] = []
    for index, token in enumerate(tokens):
        rest = token[len(_UNIT_PREFIX):]
        if token.startswith(_UNIT_PREFIX) and rest in _divine_ids():
            forms.append([*tokens[:index], "a", rest, *tokens[index + 1:]])
    return forms
