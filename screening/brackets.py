"""List names with a bracketed part: other spellings, other-script forms, acronyms and remarks.

Lists write them inside a name field: "AHMAD (AHMED) SANTOS", "Ihor (Igor) PLOTNYTSKYY",
"حاجى مالك نورزى (Hajji Malik Noorzai; Haji Malek Noorzai)", "ISLAMIC STATE (ISIL)",
"Abdel Ilah Sabri (false identity related to fraudulent ... passport number 434021161)".
Read as written, the bracketed words are list words that no query holds: a name with a long
remark scores nothing against the name itself. So the index also reads such a name
(``bracket_forms``):
- without its brackets ("Abdel Ilah Sabri", "ISLAMIC STATE"), whatever the entity;
- for a person, with a one-word bracket in place of the word before it ("Igor PLOTNYTSKYY",
  "AHMED SANTOS"), and as each name of two words or more a bracket lists (split at ";");
  never a bracket that holds a digit or a remark word (screening/data/remarks.yml: "birth
  name", "Head of ...", "third").
"""

from __future__ import annotations

import re
from functools import cache
from itertools import islice

from screening import refdata

# A bracketed part; an unclosed one runs to the end of the name.
_BRACKET = re.compile(r"\(([^()]*)(?:\)|$)")
_WORD_BEFORE = re.compile(r"(\S+)\s*\(([^()\s]+)\)")
_SPACES = re.compile(r"\s+")
# At most this many names are read out of one name's brackets (a list field of more is not a
# name; this also bounds what a hostile custom list can add to the index).
MAX_BRACKET_NAMES = 8


@cache
def _remark_words() -> frozenset[str]:
    return frozenset(refdata.string_list("remarks", "remark_words"))


def _is_name(text: str, words: int = 1) -> bool:
    """A bracket's item that names someone (in ``words`` words or more): letters, no digit,
    no remark word."""
    found = re.findall(r"[^\W\d_]+", text.casefold())
    return (
        len(found) >= words and not any(c.isdigit() for c in text)
        and _remark_words().isdisjoint(found)
    )


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip(" ,;-()")


def _respelt(found: re.Match[str]) -> str:
    """The word before a one-word bracket, replaced by it where it is a name."""
    word, other = found.group(1), found.group(2)
    return other if _is_name(other) else word


def bracket_forms(name: str, person: bool) -> list[str]:
    """The further forms of a list name with brackets (none without), as written."""
    if "(" not in name:
        return []
    forms = [_clean(_BRACKET.sub(" ", name))]
    if person:
        forms.append(_clean(_BRACKET.sub(" ", _WORD_BEFORE.sub(_respelt, name))))
        # A bracket of one word is another spelling of the word before it, not a name.
        items = (item for inner in _BRACKET.findall(name) for item in inner.split(";"))
        forms += islice((_clean(i) for i in items if _is_name(i, words=2)), MAX_BRACKET_NAMES)
    return [form for form in dict.fromkeys(forms) if form and form != name]
