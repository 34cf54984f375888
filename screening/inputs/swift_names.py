"""Where a name ends in a SWIFT name-and-address field (4*35x, or 50F/59F numbered lines).

SWIFT gives a party 35-character lines and no name/address boundary: by convention the first
line (after an optional /account line) is the name and the following lines are the address,
but a name longer than one line goes on in line 2 (and 3). Two kinds of writers produce that:

* word wrappers (most payment systems) move a word to the next line only because it did not
  fit: the first word of a continuation line would have overflowed the line before it;
* fixed-width exporters cut the name every 35 characters, often inside a word: the line before
  is full (35 characters) and no space falls at the cut, so the two pieces join without one
  (unless a lower-case letter meets a capital, a word boundary in mixed-case text).

A line also continues when it ends with a hyphen or with a word that cannot end a name ("AND",
"OF", "BIN", "ABU"...). A following line that looks like an address is never joined: one that
starts with a number ("1000 BRUXELLES"), holds a number and an address word ("PO BOX 12",
"RUE DE LA LOI 16") or ends with a two-letter country code ("DUBAI AE"). The rule leans towards
joining: a wrongly joined address line only adds words to the screened name (the scorer
tolerates extra words), while a name cut at 35 characters loses the words that identify a
listed party.
"""

from __future__ import annotations

import re
from itertools import pairwise

from lists.countries import to_iso

LINE_CHARS = 35
NUMBERED_LINE_CHARS = 33  # "1/" + 33 characters in options F
# Words that cannot end a name: a line ending with one is continued on the next line. Particles
# that are also surnames or given names (Le, Da, Du, Di, Ben, Van) are left out.
_OPEN_ENDING_WORDS = """AND & OF THE FOR BIN BINT IBN ABU ABOU ABD UMM AL EL VON DER DEL DELLA
    DES DOS UND ET"""
OPEN_ENDINGS = frozenset(_OPEN_ENDING_WORDS.split())
# Two-letter legal forms that are also country codes ("... TRADING CO", "GAZPROM AO").
_LEGAL_FORM_CODE_WORDS = "SA AG BV CO AS KG SE AB AO PT SL SC SP"
LEGAL_FORM_CODES = frozenset(_LEGAL_FORM_CODE_WORDS.split())
# Words of street addresses; with a number on the same line they mark an address line.
_ADDRESS_WORDS = """STREET ST STR STRASSE ROAD RD AVENUE AVE AV BLVD BOULEVARD LANE LN RUE VIA
    CALLE PLAZA PLACE PL SQUARE SQ UL ULITSA PROSPEKT BOX POB PO BLDG BUILDING FLOOR FL FLAT APT
    APARTMENT
    SUITE STE UNIT OFFICE SHOP HOUSE HWY HIGHWAY DRIVE DR WAY KM ZIP CEDEX POSTFACH BP CP
    """
ADDRESS_WORDS = frozenset(_ADDRESS_WORDS.split())
_DIGIT = re.compile(r"\d")
_WORD = re.compile(r"[^\W\d_]+")


def _is_country_code(word: str) -> bool:
    return (
        len(word) == 2 and word.isalpha() and word.isupper()
        and word not in LEGAL_FORM_CODES and to_iso(word) == word
    )


def _is_country(line: str) -> bool:
    """A line holding only a two-letter country code, legal-form look-alikes included (a lone
    "SA" line is Saudi Arabia far more often than a name's legal form, which weighs nothing)."""
    return len(line) == 2 and line.isalpha() and line.isupper() and to_iso(line) == line


def looks_like_address(line: str) -> bool:
    """A line starting with a number, holding a number and an address word, or ending with a
    country code."""
    text = line.strip()
    if not text:
        return False
    if text[0].isdigit() or _is_country_code(text.split()[-1]):
        return True
    words = {w.upper() for w in _WORD.findall(text)}
    return bool(_DIGIT.search(text)) and bool(words & ADDRESS_WORDS)


def _tight(before: str, after: str) -> bool:
    """A full line cut with no space at the cut: one word in two pieces, unless lower case
    meets a capital ("Majid" + "Al-Tikriti")."""
    return not (before[-1].islower() and after[0].isupper())


def continuation(previous: str, following: str, width: int = LINE_CHARS) -> str | None:
    """The separator joining ``following`` to the name line ``previous`` ("" or " "), or None
    when ``following`` starts the address. Both lines are given as written (not stripped)."""
    before, after = previous.rstrip(), following.strip()
    if not before or not after:
        return None
    if before.endswith("-"):
        return ""
    if _is_country(after):
        return None
    full = len(previous) >= width
    cut_in_word = full and before == previous and following[:1] == after[:1]
    if cut_in_word and before[-1].isalpha() and after[0].isalpha():
        return "" if _tight(before, after) else " "
    if before.split()[-1].upper() in OPEN_ENDINGS:
        return " "
    if looks_like_address(after):
        return None
    if cut_in_word:
        return "" if _tight(before, after) else " "
    if full:
        return " "
    first_word = after.split()[0]
    return " " if len(before) + 1 + len(first_word) > width else None


def split_name(lines: list[str], width: int = LINE_CHARS) -> tuple[str | None, list[str]]:
    """(name, address lines) of a field's lines after the account line, as written."""
    kept = [line for line in lines if line.strip()]
    if not kept:
        return None, []
    name, last, used = kept[0].strip(), kept[0], 1
    for line in kept[1:]:
        separator = continuation(last, line, width)
        if separator is None:
            break
        name, last, used = name + separator + line.strip(), line, used + 1
    return " ".join(name.split()), [line.strip() for line in kept[used:]]


def join_name_lines(parts: list[str], width: int = NUMBERED_LINE_CHARS) -> str | None:
    """The name written over repeated "1/" lines: a full line cut inside a word joins tight."""
    texts = [part for part in parts if part.strip()]
    if not texts:
        return None
    name = texts[0].strip()
    for previous, part in pairwise(texts):
        cut = len(previous) >= width and not previous[-1].isspace() and not part[0].isspace()
        tight = previous.rstrip().endswith("-") or (cut and _tight(previous, part))
        name += ("" if tight else " ") + part.strip()
    return " ".join(name.split())
