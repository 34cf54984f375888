"""A party's name field that runs on into its address: the name before it.

"Jan Peeters Kerkstraat 12 2000 Antwerpen", "Jean Dubois, Rue de la Loi 16, 1000 Bruxelles",
"Ayman al-Zawahiri, 12 Main Street": screened whole, the address words are query words that
no list name holds, and the listed name is missed ("Ayman al-Zawahiri Kerkstraat 12 2000
Antwerpen" scored 0.489). So such a field is also screened as the words before its address,
as one more reading of the party (``screening.readings``; not for vessels and aircraft, whose
names hold numbers: "FU YUAN YU 8649"). The address opens at a street word or street name
(screening/data/addresses.yml: "Rue", "Kerkstraat", "Street"), at a number that a street word
follows, or at a postcode (four to six digits) after a comma ("Jan Peeters, 2000 Antwerpen"),
and it holds a number: "Silk Road Trading" and "Investment Decisions 3" hold none. Two words
or more must be left.
"""

from __future__ import annotations

import re

from screening import refdata
from screening.name_fields import has_digit, written_words

_FOLD = re.compile(r"[^a-z0-9]")
_POSTCODE = re.compile(r"^\d{4,6}$")
MIN_NAME_WORDS = 2


def _folded(word: str) -> str:
    return _FOLD.sub("", word.casefold())


def _is_street(word: str) -> bool:
    """A street word, or a street's name in one word ("kerkstraat", not "straat" alone)."""
    return word in refdata.word_set("addresses", "street_words") or any(
        word.endswith(end) and len(word) > len(end) + 2
        for end in refdata.word_set("addresses", "street_endings")
    )


def _opens_address(words: list[str], written: list[str], i: int) -> bool:
    word = words[i]
    if _is_street(word):
        return True
    if not has_digit(word):
        return False
    after_comma = i > 0 and written[i - 1].endswith(",")
    return any(map(_is_street, words[i + 1 : i + 3])) or (
        after_comma and bool(_POSTCODE.match(word))
    )


def name_before_address(name: str) -> str | None:
    """The words of a name field before its address (None when it holds no address)."""
    if not has_digit(name):  # an address holds a number: most names are done here
        return None
    written = name.split()
    words = [_folded(word) for word in written]
    start = next((i for i in range(len(words)) if _opens_address(words, written, i)), None)
    if start is None or not any(map(has_digit, words[start:])):
        return None
    # A house number before it follows its street's name ("Meir 12, 2000 Antwerpen").
    number = next((i for i in range(start) if has_digit(words[i])), None)
    start = start if number is None else number - 1
    if start < 1:
        return None
    before = " ".join(written[:start]).strip(" ,;-")
    return before if len(written_words(before)) >= MIN_NAME_WORDS else None
