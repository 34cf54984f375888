"""What a list's name field holds besides one name: other spellings, other-script forms,
acronyms and remarks in brackets, several names, and facts about the person.

Lists write them inside a name field: "AHMAD (AHMED) SANTOS", "Ihor (Igor) PLOTNYTSKYY",
"حاجى مالك نورزى (Hajji Malik Noorzai; Haji Malek Noorzai)", "ISLAMIC STATE (ISIL)",
"Abdel Ilah Sabri (false identity related to fraudulent ... passport number 434021161)",
"Mohammad Bakr Zolqadr; Mohammad Baqer Zolqadir", "Medical Sciences University/Université des
sciences médicales", "Djamal Mostafa, date of birth 31.12.1979 in Mascara, Algeria". Read as
written, the other words are list words that no query holds: "Djamal Mostafa" scored 0.385
against its own entry. So the index also reads such a field (``field_forms``):
- without its brackets ("Abdel Ilah Sabri", "ISLAMIC STATE"), whatever the entity;
- as each name of two words or more it lists, apart by ";" (outside brackets), a person's
  by "/" too;
- for a person, with a one-word bracket in place of the word before it ("Igor PLOTNYTSKYY",
  "AHMED SANTOS"), as each name of two words or more a bracket lists (split at ";"), and as
  the words before the first fact about them ("Djamal Mostafa", "Abid Hammadou" of "Abid
  Hammadou born 12 Dec. 1965"): a number or a cut word ("born", "date"...).
A person's part that holds a digit or a remark word (screening/data/remarks.yml: "birth name",
"Head of ...") is never a name of its own.
"""

import re
from functools import cache
from itertools import islice

from screening import refdata

# A bracketed part; an unclosed one runs to the end of the name.
_BRACKET = re.compile(r"\(([^()]*)(?:\)|$)")
_WORD_BEFORE = re.compile(r"(\S+)\s*\(([^()\s]+)\)")
_SPACES = re.compile(r"\s+")
_SEPARATORS = re.compile(r"[;/]")
_SEMICOLON = re.compile(r";")
_WORD_BREAK = re.compile(r"[\s,;:/.()\[\]\-'’\"]+")
# At most this many forms are read out of one name field (a field of more is a list, not a
# name; this also bounds what a hostile custom list can add to the index).
MAX_FIELD_FORMS = 8


def _remark_words() -> frozenset[str]:
    return refdata.word_set("remarks", "remark_words")


def _cut_words() -> frozenset[str]:
    return refdata.word_set("remarks", "cut_words")


def _opens_remark(word: str) -> bool:
    """A number ("31.12.1979", "no.03825239", not the "1" of "A1i") or a cut word."""
    digits = sum(c.isdigit() for c in word)
    cut = not _cut_words().isdisjoint(written_words(word))
    return cut or digits > sum(c.isalpha() for c in word)


def written_words(text: str) -> list[str]:
    """The words of a text as written, folded: runs between spaces and punctuation that hold a
    letter ("Jalil, Abdul" is two; so is the Devanagari "योङमी रजनी", whose vowel signs are
    no letters to a regex's word class)."""
    return [w for w in _WORD_BREAK.split(text.casefold()) if any(c.isalpha() for c in w)]


def _is_name(text: str, words: int = 1) -> bool:
    """A part of a person's field that names someone (in ``words`` words or more): letters,
    no digit, no remark word."""
    found = written_words(text)
    return (
        len(found) >= words and not has_digit(text) and _remark_words().isdisjoint(found)
    )


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip(" ,;-()")


def _respelt(found: re.Match[str]) -> str:
    """The word before a one-word bracket, replaced by it where it is a name."""
    word, other = found.group(1), found.group(2)
    return other if _is_name(other) else word


def _bracket_forms(name: str, person: bool) -> list[str]:
    """A person's field with its one-word brackets in place of the words before them, and
    the names of two words or more its brackets list."""
    if not person or "(" not in name:
        return []
    # A bracket of one word is another spelling of the word before it, not a name.
    items = (item for inner in _BRACKET.findall(name) for item in inner.split(";"))
    return [_clean(_BRACKET.sub(" ", _WORD_BEFORE.sub(_respelt, name))),
            *(_clean(i) for i in items if _is_name(i, words=2))]


def _listed(text: str, person: bool) -> list[str]:
    """The names of two words or more a field lists: apart by ";", and a person's by "/" too.
    An organisation's "/" parts may be a name and its translation, or one name and the words it
    goes on with ("JOUMAA MONEY LAUNDERING ORGANIZATION / DRUG TRAFFICKING ORGANIZATION" is no
    "DRUG TRAFFICKING ORGANIZATION"): they are read whole."""
    items = [_clean(item) for item in (_SEPARATORS if person else _SEMICOLON).split(text)]
    if len(items) < 2:
        return []
    if person:
        return [i for i in items if _is_name(i, words=2)]
    return [i for i in items if len(written_words(i)) >= 2]


def _before_remark(text: str) -> list[str]:
    """A person's field up to its first remark: a word that holds a digit or a cut word
    ("Djamal Mostafa, date of birth ...", "Abid Hammadou born 12 Dec.")."""
    words = text.split()
    cut = next((i for i, word in enumerate(words) if _opens_remark(word)), None)
    if cut is None:
        return []
    before = _clean(" ".join(words[:cut]))
    return [before] if len(written_words(before)) >= 2 else []


@cache
def may_have_forms() -> str:
    """A regex (Python's and Polars' alike) of the fields ``field_forms`` may read more in: a
    cheap first test, without which it reads nothing."""
    return r"(?i)[(;/\d]|\b(?:" + "|".join(sorted(_cut_words())) + r")\b"


def field_forms(name: str, person: bool) -> list[str]:
    """The further forms of a list name field, as written (none for a plain name)."""
    outside = _clean(_BRACKET.sub(" ", name)) if "(" in name else name
    forms = [
        outside, *_bracket_forms(name, person), *_listed(outside, person),
        *(_before_remark(outside) if person else []),
    ]
    # A person's name holds no digit: such a form still holds a fact about them.
    kept = (f for f in dict.fromkeys(forms) if f and f != name and not (person and has_digit(f)))
    return list(islice(kept, MAX_FIELD_FORMS))


def has_digit(text: str) -> bool:
    return any(c.isdigit() for c in text)
