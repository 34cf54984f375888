"""Joint parties: one name field holding two people.

Payment parties of joint accounts name both holders in one field ("Jan Peeters & An Janssens",
"J. PEETERS EN/OF A. JANSSENS", "M. et Mme Saddam Hussein"). Screened whole, a listed holder
is diluted by the other's words and missed. So a person's name (or a party of unknown kind)
cut by a joint connector (&, +, and, en, et, und, or, ou, oder, and/or, en/of, et/ou,
und/oder, y/o, e/o, c/o) is also screened part by part, each part as one more reading of the
party (``screening.readings``): the hits of a part are the party's, and say which part met.

A part made of titles and initials only is the first holder of a couple ("M." of "M. et Mme
Dubois") and is left out. Given names alone take the surname of the other part ("Jan & An
Peeters": "Jan Peeters" and "An Peeters"; "PEETERS, Jan & An"), unless the name reads as an
organisation's ("Marks & Spencer Group"). Every other part needs two
words or more: "Johnson & Johnson" and "Ortega y Gasset" are read whole only, and so is a
field of more than MAX_PARTS people. Organisations are never cut ("Procter & Gamble Trading").
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from screening import refdata
from screening.name_fields import written_words
from screening.normalise import PERSON, name_tokens, only_titles

# The connector words, longest first; & and + join without spaces too.
_CONNECTOR_WORDS = "and/or|en/of|et/ou|und/oder|y/o|e/o|c/o|and|en|et|und|or|ou|oder"
_CONNECTOR = re.compile(rf"\s+(?:{_CONNECTOR_WORDS})\s+|\s*[&+]\s*", re.IGNORECASE)
# The same test in Polars (Rust regex): names worth a closer look.
MAY_JOIN = rf"(?i)\s(?:{_CONNECTOR_WORDS})\s|[&+]"
MIN_PART_WORDS = 2
# More people than this in one field is a list, not a joint account: read whole only (this
# also bounds the readings a hostile name can add).
MAX_PARTS = 4
_EDGES = " ,;.-"


def may_cut(schema: str | None) -> bool:
    """Whether a party of this kind (None: unknown) may hold two people."""
    return schema is None or schema == PERSON


@lru_cache(maxsize=1 << 14)  # the same parties are screened batch after batch
def joint_parts(name: str) -> tuple[str, ...]:
    """The people of a joint party's name, as written (empty when it names one)."""
    pieces = [piece.strip(_EDGES) for piece in _CONNECTOR.split(name, maxsplit=MAX_PARTS)]
    if not 2 <= len(pieces) <= MAX_PARTS:
        return ()
    people = [piece for piece in pieces if not only_titles(name_tokens(piece, PERSON))]
    people = _with_shared_surname(people)
    if not people or any(_words(p) < MIN_PART_WORDS for p in people):
        return ()
    return tuple(dict.fromkeys(p for p in people if p != name))


def _words(part: str) -> int:
    """Words of a part as written: "Jalil, Abdul" is two ("abdaljalil" to the normaliser)."""
    return len(written_words(part))


@cache
def _organisation_words() -> frozenset[str]:
    """Words of organisation names: what the organisation abbreviations stand for."""
    return frozenset(refdata.string_map("abbreviations", "organisation").values())


def reads_as_organisation(name: str) -> bool:
    """Whether a name reads as an organisation's: a legal form or an organisation word
    ("Procter & Gamble Trading", "Smith & Sons Ltd")."""
    tokens = name_tokens(name, "Organization")
    return "#lf" in tokens or not _organisation_words().isdisjoint(tokens)


def _with_shared_surname(people: list[str]) -> list[str]:
    """Given names alone take the surname the other part gives them: the last part's last
    word ("Jan & An Peeters"), or the first part's before its comma ("PEETERS, Jan & An")."""
    alone = [_words(p) == 1 for p in people]
    if len(people) < 2 or not any(alone) or reads_as_organisation(" ".join(people)):
        return people
    first, last = people[0], people[-1]
    if not alone[-1] and "," not in last and all(alone[:-1]):
        surname = last.split()[-1]
        return [f"{p} {surname}" for p in people[:-1]] + [last]
    if "," in first and not alone[0] and all(alone[1:]):
        surname = first.split(",")[0].strip()
        return [first] + [f"{surname}, {p}" for p in people[1:]]
    return people
