"""Name normalisation: one name string -> a list of comparable tokens.

The pipeline has three stages, shared by the plain reference (`name_tokens`) and the vectorised
form (`tokenise_names`), so both agree by construction:

A. string level (`raw_pieces`): NFKC, joined words split where case or an apostrophe shows
   the join ("AlisherUsmanov", "ASSADIAssadollah", "AbuNidal", "ofIraq", "Talib'Ali"; not
   "McDonald", "DeSouza", "Cho'n"), case folding, apostrophes dropped inside words, split on
   everything that is not a letter, digit or mark; commas and "&" kept as pieces.
B. piece level (`piece_tokens`, cached per unique piece): look-alike letters repaired,
   non-Latin scripts romanised, diacritics folded to ASCII, look-alike digits repaired
   ("ig0r" -> "igor"), spelling folded (organisation -> organization).
C. name level (`finish_tokens`, cached per unique token list): "SURNAME, Given" inversion
   (titles leading the surname side stripped first), Arabic theophoric units merged,
   organisation abbreviations expanded ("org" -> organization), legal forms in any of their
   spellings ("Ltd Liability Co", "OOO", "Obshchestvo s ogranichennoi otvetstvennostyu")
   replaced by the class token "#lf", person titles stripped.

Tokens are lower-case ASCII [a-z0-9]+, or the class token "#lf".
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable, Sequence
from functools import cache, lru_cache
from itertools import chain

import polars as pl
from anyascii import anyascii

from screening import refdata
from screening.legal_words import legal_form_words
from screening.transliterate import char_script, romanise_run, scheme_count, script_runs
from screening.variants import (
    LEGAL_FORM_TOKEN,
    may_be_joined_units,
    merge_units,
    one_slip,
    slipped_prefixes,
)

PERSON = "Person"
MAX_VARIANTS = 5
_CACHE_SIZE = 1 << 20
_APOSTROPHES = "'`’‘ʼʻʹʾʿ′"
_SPECIAL_FOLDS = str.maketrans(
    {"ß": "ss", "ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th",
     "ı": "i", "ħ": "h", "ŧ": "t", "ŋ": "n", "ĸ": "k", "ſ": "s", "ƒ": "f", "ɨ": "i"}
)  # fmt: skip
_ORDINAL = re.compile(r"[0-9]+(?:st|nd|rd|th|s|e|er|eme|ers|es|ies)")
_ROMAN_SUFFIXES = frozenset({"ii", "iii", "iv"})
_SUFFIXES = frozenset({"jr", "sr", "junior", "senior", "phd", "esq"}) | _ROMAN_SUFFIXES
# Generational and degree suffixes ending a person's name ("Geoffrey Brown Jr", "David Dobbins
# Senior") go while two words are left ("Alan Senior" keeps its surname). Roman numerals stay:
# "II" may be a misread "Il" (Kim Jong Il).
_TRAILING_SUFFIXES = (_SUFFIXES - _ROMAN_SUFFIXES) | {"jnr", "snr"}
_VOWELS = frozenset("aeiouy")
_MAX_INVERTED_LEFT = 3
_MAX_INVERTED_RIGHT = 4
_BMP_END = 0x10000
_COMMA = ","

# --- stage A: string level ---------------------------------------------------------------


def _ranges(codepoints: list[int]) -> str:
    """A regex character-class body for a sorted list of code points."""
    parts: list[str] = []
    start = prev = -2
    for cp in chain(codepoints, [-1]):
        if cp == prev + 1:
            prev = cp
            continue
        if start >= 0:
            parts.append(
                re.escape(chr(start)) + ("-" + re.escape(chr(prev)) if prev > start else "")
            )
        start = prev = cp
    return "".join(parts)


@cache
def _mark_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """(BMP marks, astral marks, pieces with marks) patterns.

    Python's \\w leaves combining marks out, which would cut Arabic words with vowel signs or
    Devanagari words in pieces, so pieces of a text holding marks use a slower pattern.
    """
    marks = [
        cp
        for cp in chain(range(0x30000), range(0xE0000, 0xE1000))
        if unicodedata.category(chr(cp))[0] == "M"
    ]
    bmp = re.compile(_split_class([cp for cp in marks if cp < _BMP_END]))
    astral = re.compile(_split_class([cp for cp in marks if cp >= _BMP_END]))
    return bmp, astral, re.compile(f"(?:[^\\W_]|{_split_class(marks)})+|[,،&]")


_SIMPLE_PIECE = re.compile(r"[^\W_]+|[,،&]")


def _find_pieces(text: str) -> list[str]:
    bmp, astral, with_marks = _mark_patterns()
    has_marks = bmp.search(text) or (
        not text.isascii() and max(text) >= chr(_BMP_END) and astral.search(text)
    )
    return (with_marks if has_marks else _SIMPLE_PIECE).findall(text)


def _split_class(codepoints: list[int]) -> str:
    """A group matching one of `codepoints`. BMP and astral code points go in two classes:
    Python's regex engine checks a class holding astral ranges range by range (slow)."""
    bmp = _ranges([cp for cp in codepoints if cp < _BMP_END])
    astral = _ranges([cp for cp in codepoints if cp >= _BMP_END])
    return f"[{bmp}]|[{astral}]" if astral else f"[{bmp}]"


_APOSTROPHE_RE = re.compile(f"[{re.escape(_APOSTROPHES)}]")
_Rules = tuple[tuple[str, str, int], ...]  # (pattern, replacement, passes)


@cache
def _case_classes() -> tuple[str, str, str, str]:
    """(upper, lower, letter, non-letter) regex classes; upper/lower are Lu/Ll letters.

    On ASCII text they match exactly what [A-Z], [a-z], [A-Za-z] and [^A-Za-z] match in the
    Polars (Rust regex) form of stage A, so both forms split joined words identically. Only
    BMP letters: classes with astral ranges make Python's regex engine several times slower,
    and the cased astral scripts (Deseret, Osage, Adlam) do not occur in names.
    """
    upper: list[int] = []
    lower: list[int] = []
    for cp in range(_BMP_END):
        category = unicodedata.category(chr(cp))
        if category == "Lu":
            upper.append(cp)
        elif category == "Ll":
            lower.append(cp)
    both = sorted(upper + lower)
    return f"[{_ranges(upper)}]", f"[{_ranges(lower)}]", f"[{_ranges(both)}]", r"[\W\d_]"


def _particles() -> str:
    """Alternation of the particles split off a joined word ("AbuNidal", "ofIraq")."""
    particles = refdata.string_list("name_variants", "camel_particles")
    lower_words = refdata.string_list("name_variants", "camel_lower_words")
    forms = {*particles, *(p.capitalize() for p in particles), *lower_words}
    return "|".join(sorted(forms, key=lambda form: (-len(form), form)))


def _joined_word_rules(upper: str, lower: str, letter: str, other: str, apostrophes: str) -> _Rules:
    """The stage-A splitting rules as (pattern, replacement, passes), in the order applied.

    - "Talib'Ali", "dell'Uzbekistan": an apostrophe after 3+ letters ending in lower case and
      before Capital + 2 lower-case letters splits (an Arabic 'ayn opening the next word, an
      elision); "Cho'n", "O'Neill", "Sa'id" stay one word, and so do the OFAC-style capitals
      after an 'ayn inside a word: "Tali'A", "al-Zawba'I", "Ra'Ouf", "Nu'Aymi".
      ("Lidda'Awati" is split: its shape is the one of "Talib'Ali".)
    - "AlisherUsmanov": Capital + at least 3 lower-case letters, then a capital.
    - "ASSADIAssadollah": a run of capitals then Capital + 2 lower-case letters: the last
      capital starts the next word ("OJSCSurgutneftegas"; "NGOs" stays).
    - "AbuNidal", "ofIraq": a listed particle opening a word, then Capital + lower case.
    A match consumes the letter after the split, so rules that can chain run twice.
    """
    return (
        (f"({letter}{letter}{lower})[{apostrophes}]({upper}{lower}{lower})", r"\1 \2", 2),
        (f"({upper}{lower}{{3,}})({upper})", r"\1 \2", 2),
        (f"({upper}{upper})({upper}{lower}{lower})", r"\1 \2", 1),
        (f"(^|{other})({_particles()})({upper}{lower})", r"\1\2 \3", 2),
    )


@cache
def _python_rules() -> tuple[re.Pattern[str], tuple[tuple[re.Pattern[str], str, int], ...]]:
    """(prefilter, rules): the rules only run on a name the prefilter finds something in.

    Every rule needs an apostrophe, a lower -> upper step or two capitals then a lower-case
    letter, so most names (one case per word) skip them all.
    """
    upper, lower, letter, other = _case_classes()
    apostrophes = re.escape(_APOSTROPHES)
    rules = _joined_word_rules(upper, lower, letter, other, apostrophes)
    prefilter = re.compile(f"{lower}{upper}|{upper}{upper}{lower}|[{apostrophes}]")
    return prefilter, tuple((re.compile(pattern), repl, n) for pattern, repl, n in rules)


@cache
def _polars_rules() -> _Rules:
    """The same rules for pure-ASCII text in Rust regex syntax (${n} replacements)."""
    rules = _joined_word_rules("[A-Z]", "[a-z]", "[A-Za-z]", "[^A-Za-z]", "'`")
    return tuple((pattern, re.sub(r"\\(\d)", r"${\1}", repl), n) for pattern, repl, n in rules)


def _split_joined(text: str) -> str:
    """Spaces where a name has words joined but told apart by case or an apostrophe."""
    prefilter, rules = _python_rules()
    if text.isupper() or text.islower() or not prefilter.search(text):
        return text  # one case only: no rule can match
    for pattern, repl, passes in rules:
        for _ in range(passes):
            text = pattern.sub(repl, text)
    return text


# Invisible format characters (zero-width space and joiners, soft hyphen, word joiner,
# direction marks and embeddings, BOM, tag characters) sit inside words, not between them:
# "Usa\u200bma" reads "Usama", and Persian joins the parts of one name with a ZWNJ
# ("احمدی‌نژاد", Ahmadinejad).
_INVISIBLE_RE = re.compile(
    "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
    "\U000e0000-\U000e007f]"
)


def raw_pieces(text: str) -> list[str]:
    """Stage A: the raw word pieces of a name, plus "," and "&" markers."""
    text = _split_joined(unicodedata.normalize("NFKC", _INVISIBLE_RE.sub("", text)))
    text = _APOSTROPHE_RE.sub("", text.casefold())
    return ["," if found == "،" else found for found in _find_pieces(text)]


def _ascii_pieces(names: pl.Expr) -> pl.Expr:
    """Stage A in Polars for pure-ASCII names: identical to `raw_pieces` on ASCII input."""
    return _ascii_split(_ascii_joined(names))


def _ascii_joined(names: pl.Expr) -> pl.Expr:
    for pattern, repl, passes in _polars_rules():
        for _ in range(passes):
            names = names.str.replace_all(pattern, repl)
    return names


def _ascii_split(names: pl.Expr) -> pl.Expr:
    return names.str.to_lowercase().str.replace_all("['`]", "").str.extract_all(r"[a-z0-9]+|,|&")


# Every joined-word rule needs an apostrophe, a lower -> upper step or two capitals then a
# lower-case letter (`_python_rules`' prefilter in ASCII): other words skip the rules.
_ASCII_JOINED_HINT = r"[a-z][A-Z]|[A-Z][A-Z][a-z]|['`]"


def _ascii_word_pieces(words: pl.DataFrame) -> pl.DataFrame:
    """(word, pieces) for pure-ASCII words, the joined-word rules run only where they can act."""
    hinted = pl.col("word").str.contains(_ASCII_JOINED_HINT)
    return pl.concat([
        words.filter(~hinted).select("word", pieces=_ascii_split(pl.col("word"))),
        words.filter(hinted).select("word", pieces=_ascii_pieces(pl.col("word"))),
    ])


# --- stage B: piece level ----------------------------------------------------------------


@cache
def _confusables() -> dict[str, str]:
    return refdata.string_map("homoglyphs", "confusables")


@cache
def _digit_letters() -> dict[str, str]:
    return refdata.string_map("homoglyphs", "digits")


@cache
def _spelling() -> dict[str, str]:
    return refdata.string_map("abbreviations", "spelling")


def _repair_homoglyphs(piece: str) -> str:
    """Latin words typed with a few Cyrillic/Greek look-alikes ("igоr") become Latin."""
    scripts = {char_script(char) for char in piece if char.isalpha()}
    if "Latin" not in scripts or scripts <= {"Latin"}:
        return piece
    confusables = _confusables()
    foreign = [c for c in piece if c.isalpha() and char_script(c) != "Latin"]
    if all(char in confusables for char in foreign):
        return "".join(confusables.get(char, char) for char in piece)
    return piece


# A decimal digit other than 0-9 (\d is Unicode category Nd, as str.isdecimal).
_OTHER_DIGIT = re.compile(r"(?![0-9])\d")


def _ascii_digits(piece: str) -> str:
    if not _OTHER_DIGIT.search(piece):
        return piece  # nearly always: the join below is the slow part
    return "".join(
        str(unicodedata.decimal(char)) if char.isdecimal() and not char.isascii() else char
        for char in piece
    )


def fold_to_ascii(text: str) -> str:
    """Diacritics and special letters folded to lower-case ASCII ("Schrödinger" -> schrodinger)."""
    if text.isascii():
        return text.lower()  # ASCII has no special letters, decompositions or marks
    text = unicodedata.normalize("NFKD", text.translate(_SPECIAL_FOLDS))
    text = "".join(char for char in text if not unicodedata.combining(char))
    if not text.isascii():
        text = str(anyascii(text))
    return text.lower()


def _to_latin(piece: str, scheme: int) -> str:
    piece = _repair_homoglyphs(_ascii_digits(piece))
    romanised = "".join(romanise_run(script, chunk, scheme) for script, chunk in script_runs(piece))
    return fold_to_ascii(romanised)


def _repair_digits(token: str) -> str:
    """Look-alike digits inside an alphabetic word become letters ("sech1n" -> "sechin")."""
    if token.isalpha() or token.isdigit() or _ORDINAL.fullmatch(token):
        return token
    letters = sum(char.isalpha() for char in token)
    digit_letters = _digit_letters()
    # Two characters, one a letter ("A1-KAWARI", "0F", "3P-MNM"): read as two letters too.
    pair = len(token) == 2 and letters == 1
    if not pair and (letters < 2 or letters <= len(token) - letters):
        return token
    if any(char.isdigit() and char != "1" and char not in digit_letters for char in token):
        return token
    repaired = []
    for index, char in enumerate(token):
        if char == "1":
            near = token[max(index - 1, 0) : index] + token[index + 1 : index + 2]
            repaired.append("l" if any(c in _VOWELS for c in near) else "i")
        else:
            repaired.append(digit_letters.get(char, char))
    return "".join(repaired)


def _fold_spelling(token: str) -> str:
    token = _spelling().get(token, token)
    for british, american in (("isation", "ization"), ("isations", "izations")):
        if token.endswith(british) and len(token) >= len(british) + 2:
            return token[: -len(british)] + american
    return token


@lru_cache(maxsize=_CACHE_SIZE)
def piece_tokens(piece: str, scheme: int = 0) -> tuple[str, ...]:
    """Stage B: the ASCII tokens of one raw piece, romanised with scheme `scheme`."""
    if piece in (",", "&"):
        return ("and",) if piece == "&" else (",",)
    text = piece if piece.isascii() else _to_latin(piece, scheme)
    tokens = tuple(_fold_spelling(_repair_digits(t)) for t in re.findall("[a-z0-9]+", text))
    if not tokens and any(char.isalnum() for char in piece):
        # An unmappable letter must not make the name vanish: keep its code points.
        tokens = ("u" + "u".join(f"{ord(char):x}" for char in piece if char.isalnum()),)
    return tokens


def piece_scheme_count(piece: str) -> int:
    """How many romanisation schemes apply to a raw piece (1 for Latin and most scripts)."""
    if piece.isascii():
        return 1
    return max((scheme_count(script) for script, _ in script_runs(piece)), default=1)


# --- stage C: name level -----------------------------------------------------------------


def _phrases(entries: Iterable[str]) -> set[tuple[str, ...]]:
    return {tuple(entry.split()) for entry in entries}


@cache
def _legal_forms() -> dict[tuple[str, ...], str]:
    """Legal-form phrase -> where it may be replaced ("anywhere", "trailing", "leading",
    "edges": leading or trailing).

    Phrases of two words or more are expanded with the other spellings of their words
    ("joint stock company" also as "joint stock co", "jointstock company", ...).
    """
    spellings = {
        tuple(word.split()): [tuple(other.split()) for other in others]
        for word, others in refdata.list_map("legal_forms", "spellings").items()
    }
    forms: dict[tuple[str, ...], str] = {}
    for where in ("leading", "trailing", "edges", "anywhere"):  # later wins: anywhere is strongest
        for phrase in _phrases(refdata.string_list("legal_forms", where)):
            expanded = _spelled(phrase, spellings) if len(phrase) > 1 else {phrase}
            forms.update(dict.fromkeys(expanded, where))
    return forms


def _spelled(
    phrase: tuple[str, ...], spellings: dict[tuple[str, ...], list[tuple[str, ...]]]
) -> set[tuple[str, ...]]:
    """Every spelling of a phrase, each of its words or word groups in each listed spelling."""
    if not phrase:
        return {()}
    results: set[tuple[str, ...]] = set()
    for size in range(1, len(phrase) + 1):
        head = phrase[:size]
        if size > 1 and head not in spellings:
            continue
        tails = _spelled(phrase[size:], spellings)
        for spelling in (head, *spellings.get(head, [])):
            results.update(spelling + tail for tail in tails)
    return results


@cache
def _longest_legal_form() -> int:
    return max(len(phrase) for phrase in _legal_forms())


@cache
def _titles() -> frozenset[tuple[str, ...]]:
    return frozenset(_phrases(refdata.string_list("titles", "titles")))


@cache
def _abbreviations() -> dict[str, str]:
    return refdata.string_map("abbreviations", "organisation")


@cache
def trigger_tokens() -> frozenset[str]:
    """Tokens that can make stage C change a token list (besides those starting with "abd")."""
    words = {",", *_abbreviations(), *slipped_prefixes(), *_legal_word_starts()}
    words.update(_slipped_titles())
    for phrase in chain(_legal_forms(), _titles()):
        words.update(phrase)
    return frozenset(words)


def _phrase_from(tokens: Sequence[str], start: int, allowed: set[str]) -> int:
    """Length of the longest legal form with an allowed position starting at tokens[start]."""
    forms = _legal_forms()
    for length in range(min(_longest_legal_form(), len(tokens) - start), 0, -1):
        if forms.get(tuple(tokens[start : start + length])) in allowed:
            return length
    return 0


def _phrase_to(tokens: Sequence[str], end: int, allowed: set[str]) -> int:
    """Length of the longest legal form with an allowed position ending just before `end`."""
    forms = _legal_forms()
    for length in range(min(_longest_legal_form(), end), 0, -1):
        if forms.get(tuple(tokens[end - length : end])) in allowed:
            return length
    return 0


def _legal_form_spans(tokens: list[str], person: bool) -> list[tuple[int, int]]:
    """(start, stop) of each legal form found, in order of position (they may overlap)."""
    spans: list[tuple[int, int]] = []
    end = len(tokens)
    while end > 0:  # from the end: suffixes are the usual place, for persons the only one
        length = _phrase_to(tokens, end, {"anywhere", "trailing", "edges"})
        kept = end - length
        ambiguous = length and _legal_forms()[tuple(tokens[kept:end])] != "anywhere"
        if not length or (person and kept < (2 if ambiguous else 1)):
            break
        spans.append((kept, end))
        end = kept
    if person:
        return sorted(spans)
    start = 0
    while start < end and (length := _phrase_from(tokens, start, {"anywhere", "leading", "edges"})):
        spans.append((start, start + length))
        start += length
    while start < end:
        length = _phrase_from(tokens, start, {"anywhere"})
        if length:
            spans.append((start, start + length))
        start += max(length, 1)
    return sorted(spans)


def _marks(size: int, spans: list[tuple[int, int]]) -> list[bool]:
    """Which of ``size`` tokens the spans cover."""
    marks = [False] * size
    for start, stop in spans:
        marks[start:stop] = [True] * (stop - start)
    return marks


@cache
def _legal_form_word_set() -> frozenset[str]:
    """Every word of every legal form."""
    return frozenset(word for phrase in _legal_forms() for word in phrase)


def _acronym(tokens: list[str], spans: list[tuple[int, int]]) -> list[str] | None:
    """A name made only of legal forms, in the positions an organisation's may take ("SL" for
    Sendero Luminoso, "PTE OOO", "S.L."), is an acronym, not a legal form: each form glued into
    one word ("s l" -> "sl"), so that every spelling of it reads alike. None for other names.
    ``spans``: the organisation's legal forms (``_legal_form_spans``).
    """
    if not tokens or not all(_marks(len(tokens), spans)):
        return None
    words: list[str] = []
    reached = 0
    for start, stop in spans:
        if start < reached:  # overlapping forms make one word
            words[-1] += "".join(tokens[reached:stop])
        else:
            words.append("".join(tokens[start:stop]))
        reached = max(reached, stop)
    return words


@cache
def bare_words() -> frozenset[str]:
    """The words of bare names (``is_bare``): legal forms glued into one word, and the
    tokens of ASCII punctuation (``symbol_tokens``)."""
    glued = {"".join(phrase) for phrase in _legal_forms()}
    return frozenset(glued | set(symbol_tokens(string.punctuation)))


def is_bare(tokens: Sequence[str]) -> bool:
    """A bare name has no word of its own: only legal forms (an acronym such as "SL") or only
    punctuation ("@"). Bare names are compared only with bare names: "SL Trading" is not
    "SL", and "SL" alone is no part of a company's name."""
    words = bare_words()
    return bool(tokens) and all(token in words for token in tokens)


def is_bare_word(tokens: pl.Expr) -> pl.Expr:
    """Whether each token is a word of bare names (``bare_words``); a name's tokens all such
    words (``.all()`` per name, at least one token) make it bare."""
    return tokens.is_in(_bare_word_series().implode())


@cache
def _bare_word_series() -> pl.Series:
    return pl.Series(sorted(bare_words()), dtype=pl.Utf8)


def bare_names(tokens: pl.Expr) -> pl.Expr:
    """``is_bare`` over a List(Utf8) column of token lists."""
    return (tokens.list.len() > 0) & tokens.list.eval(is_bare_word(pl.element())).list.all()


def symbol_tokens(text: str) -> list[str]:
    """The tokens of a name without a letter or digit ("@"): one per character, its code
    point in hex ("u40"), as an unmappable letter's. Such a name must not vanish: only its
    exact text can find it."""
    return ["u" + f"{ord(char):x}" for char in text if not char.isspace()]


def _replace_legal_forms(tokens: list[str], person: bool) -> list[str]:
    """Each run of legal-form tokens becomes one "#lf", unless legal forms are the whole name
    (an acronym, ``_acronym``): whatever the name's type, it is read as an organisation's, so
    that both readings of a name of unknown type agree (and ``is_bare`` holds for both)."""
    # Only a name of legal-form words may be an acronym (a cheap test that spares persons'
    # names the organisation's search).
    maybe_acronym = all(token in _legal_form_word_set() for token in tokens)
    organisation = _legal_form_spans(tokens, person=False) if maybe_acronym or not person else []
    acronym = _acronym(tokens, organisation) if maybe_acronym else None
    if acronym is not None:
        return acronym
    spans = _legal_form_spans(tokens, person) if person else organisation
    result: list[str] = []
    for token, mark in zip(tokens, _marks(len(tokens), spans), strict=True):
        if not mark:
            result.append(token)
        elif not result or result[-1] != LEGAL_FORM_TOKEN:
            result.append(LEGAL_FORM_TOKEN)
    return result


# Honorifics often misspelt in transliteration; none is one slip from a common given name.
_SLIPPING_TITLES = (
    "hajji", "hadji", "sheikh", "shaikh", "shaykh", "cheikh", "mullah", "mollah", "maulana",
    "mawlana", "moulana", "maulavi", "mawlawi", "moulavi", "ayatollah", "ayatullah",
)


@cache
def _slipped_titles() -> frozenset[str]:
    """One slip (a letter changed, added, dropped or two swapped) in an honorific, five
    letters or more: "hajjii", "hadjji", "mulah"."""
    slips = {slip for title in _SLIPPING_TITLES for slip in one_slip(title) if len(slip) >= 5}
    return frozenset(slips) - {t[0] for t in _titles() if len(t) == 1}


def _strip_titles(tokens: list[str]) -> list[str]:
    """Leading titles go ("dr", "president", "sheikh", and one slip of an honorific such as
    "hajjii"), unless nothing would be left."""
    titles = _titles()
    slipped = _slipped_titles()
    start = 0
    while start < len(tokens):
        length = next(
            (n for n in range(min(4, len(tokens) - start), 0, -1)
             if tuple(tokens[start : start + n]) in titles
             or (n == 1 and tokens[start] in slipped)),
            0,
        )  # fmt: skip
        if not length or start + length >= len(tokens):
            break
        start += length
    return tokens[start:]


def only_titles(tokens: Sequence[str]) -> bool:
    """Whether a person's tokens are titles and initials only ("Mr", "M.", "Dhr", "Dr J.")."""
    rest = _strip_titles([*tokens, "\x00"])[:-1]  # a sentinel: every title may go
    return all(len(token) == 1 for token in rest)


def _strip_suffixes(tokens: list[str], keep: int = 2) -> list[str]:
    """Trailing suffixes go (_TRAILING_SUFFIXES), ``keep`` words at least left."""
    end = len(tokens)
    while end > keep and tokens[end - 1] in _TRAILING_SUFFIXES:
        end -= 1
    return tokens[:end]


def _uncomma(tokens: list[str], person: bool) -> list[str]:
    """Drop commas; "SURNAME, Given" (one comma, short sides) becomes "Given SURNAME"."""
    if _COMMA not in tokens:
        return tokens
    if person and tokens.count(_COMMA) == 1:
        comma = tokens.index(_COMMA)
        # "Sheikh GHAILANI, Ahmed": the title leads the surname side; once inverted it would
        # sit inside the name where title stripping does not look.
        # A suffix ends either side ("BROWN, Geoffrey Jr", "BROWN Jr, Geoffrey"); inverted,
        # it would sit inside the name.
        left = _strip_suffixes(_strip_titles(tokens[:comma]), keep=1)
        right = _strip_suffixes(tokens[comma + 1 :], keep=1)
        if (
            1 <= len(left) <= _MAX_INVERTED_LEFT
            and 1 <= len(right) <= _MAX_INVERTED_RIGHT
            and not all(token in _SUFFIXES or (token,) in _legal_forms() for token in right)
        ):
            return right + left
    return [word for word in tokens if word != _COMMA]


# Legal-form words that also start or end ordinary words ("publications", "undisclosed").
_UNGLUED = frozenset({"public", "closed", "private"})


@cache
def _glued_legal_form() -> re.Pattern[str]:
    """A legal-form word glued after three letters or more of another word, or one of seven
    letters or more glued before it ("companyitc")."""
    forms = sorted(set(legal_form_words()) - _UNGLUED, key=len, reverse=True)
    after = "|".join(forms)
    before = "|".join(form for form in forms if len(form) >= 7)
    return re.compile(f"^(?:({before})([a-z0-9]{{3,}})|([a-z0-9]{{3,}}?)({after}))$")


@cache
def _legal_word_set() -> frozenset[str]:
    return frozenset(legal_form_words())


@cache
def _legal_word_starts() -> frozenset[str]:
    """Starts (three letters or more) of legal-form words: where a split one may begin."""
    return frozenset(
        word[:end] for word in legal_form_words() for end in range(3, len(word))
    )


def _join_split_legal_forms(words: list[str]) -> list[str]:
    """"COM PANY", "LIM ITED": two neighbours that spell a legal-form word become it."""
    legal = _legal_word_set()
    starts = _legal_word_starts()
    out: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        if word in starts and index + 1 < len(words) and word + words[index + 1] in legal:
            out.append(word + words[index + 1])
            index += 2
        else:
            out.append(word)
            index += 1
    return out


def _split_glued_legal_forms(words: list[str]) -> list[str]:
    """"PITARONLIMITED", "COMPANYITC": the legal-form word comes apart from the name."""
    pattern = _glued_legal_form()
    legal = _legal_word_set()
    out: list[str] = []
    for word in words:
        found = pattern.match(word) if len(word) >= 9 and word not in legal else None
        if found:
            out.extend(part for part in found.groups() if part)
        else:
            out.append(word)
    return out


@lru_cache(maxsize=_CACHE_SIZE)
def _finish_cached(tokens: tuple[str, ...], person: bool) -> tuple[str, ...]:
    words = merge_units(_uncomma(list(tokens), person))
    if not person:
        words = _split_glued_legal_forms(_join_split_legal_forms(words))
        abbreviations = _abbreviations()
        words = [abbreviations.get(word, word) for word in words]
    words = _replace_legal_forms(words, person)
    if person:
        words = _strip_suffixes(_strip_titles(words))
    return tuple(words)


def finish_tokens(tokens: Sequence[str], schema: str = PERSON) -> list[str]:
    """Stage C: name-level rules on the stage-B tokens of one name."""
    return list(_finish_cached(tuple(tokens), schema == PERSON))


# --- public API --------------------------------------------------------------------------


def name_tokens(text: str, schema: str = PERSON) -> list[str]:
    """The normalised tokens of one name (the plain reference implementation)."""
    tokens = [token for piece in raw_pieces(text) for token in piece_tokens(piece)]
    return finish_tokens(tokens, schema) or _symbols_of(text)


def _symbols_of(text: str) -> list[str]:
    """``symbol_tokens`` of a name that has no other tokens (NFKC, as stage A reads it)."""
    return symbol_tokens(unicodedata.normalize("NFKC", text))


def name_variants(text: str, schema: str = PERSON) -> list[list[str]]:
    """Token lists for every romanisation of a name, `name_tokens(text)` first, deduplicated.

    Cyrillic names get ICAO, BGN/PCGN, Wikipedia, ISO 9 and French forms; Arabic-script names
    English- and French-style forms; at most MAX_VARIANTS lists.
    """
    pieces = raw_pieces(text)
    count = max((piece_scheme_count(piece) for piece in pieces), default=1)
    variants: list[list[str]] = []
    for scheme in range(count):
        tokens = [token for piece in pieces for token in piece_tokens(piece, scheme)]
        finished = finish_tokens(tokens, schema) or _symbols_of(text)
        if finished not in variants:
            variants.append(finished)
        if len(variants) == MAX_VARIANTS:
            break
    return variants


def tokenise_names(names: pl.Series, schemas: pl.Series | str = PERSON) -> pl.Series:
    """`name_tokens` over a column (List(Utf8)); null names give an empty list.

    Work is done once per unique (name, schema): stage A in Polars for pure-ASCII names and in
    Python for the others, stage B once per unique piece, stage C only for names holding a
    token it can change (comma, title, legal form, abbreviation, "abd...").
    """
    frame = pl.DataFrame({"name": names.cast(pl.Utf8).fill_null("")}).with_columns(
        schema=(
            schemas.cast(pl.Utf8).fill_null(PERSON)
            if isinstance(schemas, pl.Series)
            else pl.lit(schemas, dtype=pl.Utf8)
        )
    )
    unique = frame.unique(maintain_order=False).with_row_index("uid")
    pieces = _unique_pieces(unique)
    tokens = _tokens_per_name(pieces)
    finished = _with_symbols(_finish_frame(unique, tokens))
    result = frame.join(finished, on=["name", "schema"], how="left", maintain_order="left")
    return (
        result.get_column("tokens").fill_null(pl.lit([], dtype=pl.List(pl.Utf8))).alias(names.name)
    )


_LIST = pl.List(pl.Utf8)


def _flat_frame(
    keys: Sequence[object],
    lists: Iterable[Sequence[str]],
    key: str,
    value: str,
    key_dtype: pl.DataType,
) -> pl.DataFrame:
    """(key, value) rows for key -> list of values, built flat (lists of lists are slow)."""
    flat_keys: list[object] = []
    flat_values: list[str] = []
    for item, values in zip(keys, lists, strict=True):
        flat_keys.extend([item] * len(values))
        flat_values.extend(values)
    return pl.DataFrame(
        {key: pl.Series(flat_keys, dtype=key_dtype), value: pl.Series(flat_values, dtype=pl.Utf8)}
    )


def _unique_pieces(unique: pl.DataFrame) -> pl.DataFrame:
    """Stage A: (uid, pieces) rows, one per piece in order, for every unique name.

    Stage A never looks across a space (the joined-word rules, NFKC, case folding and the
    piece pattern all act within runs of non-space characters), so it runs once per distinct
    space-separated word: names share most of their words.
    """
    words = unique.select("uid", word=pl.col("name").str.split(" ")).explode("word")
    per_word = _word_pieces(words.select(pl.col("word").unique().drop_nulls()))
    return (
        words.join(per_word, on="word", how="inner", maintain_order="left")
        .select("uid", "pieces")
        .explode("pieces")
        .drop_nulls("pieces")
    )


def _word_pieces(words: pl.DataFrame) -> pl.DataFrame:
    """(word, pieces) for distinct words: pure-ASCII ones in Polars, the others in Python."""
    is_ascii = ~pl.col("word").str.contains(r"[^\x00-\x7F]")
    ascii_part = _ascii_word_pieces(words.filter(is_ascii))
    other = words.filter(~is_ascii).get_column("word").to_list()
    other_part = (
        _flat_frame(other, (_raw_pieces_of_word(w) for w in other), "word", "pieces", pl.Utf8())
        .group_by("word")
        .agg("pieces")
    )
    return pl.concat([ascii_part, other_part])


@lru_cache(maxsize=_CACHE_SIZE)
def _raw_pieces_of_word(word: str) -> tuple[str, ...]:
    return tuple(raw_pieces(word))


def _tokens_per_name(pieces: pl.DataFrame) -> pl.DataFrame:
    """Stage B: (uid, tokens, triggered) with each distinct piece turned into tokens once.

    Pieces of ASCII letters only or digits only (most of them) are one token each, spelling
    folded in Polars; the others (romanised scripts, "ig0r", "1st", ",", "&") go through
    `piece_tokens`.
    """
    distinct = pieces.select(pl.col("pieces").unique())
    plain = pl.col("pieces").str.contains(_PLAIN_PIECE)
    folded = distinct.filter(plain).select("pieces", tokens=_fold_spelling_expr(pl.col("pieces")))
    others = distinct.filter(~plain).get_column("pieces").to_list()
    romanised = _flat_frame(
        others, (piece_tokens(p) for p in others), "pieces", "tokens", pl.Utf8()
    )
    abd = may_be_joined_units(pl.col("tokens"))
    trigger = (
        pl.col("tokens").is_in(list(trigger_tokens()))
        | abd
        | pl.col("tokens").str.contains(_glued_legal_form().pattern)
    )
    person_trigger = pl.col("tokens").is_in([_COMMA, *slipped_prefixes()]) | abd
    # Triggers tested once per distinct piece's token, not per token of every name.
    table = pl.concat([folded, romanised]).with_columns(
        trigger.alias("trigger"), person_trigger.alias("person_trigger")
    )
    flat = pieces.join(table, on="pieces", how="inner", maintain_order="left")
    return flat.group_by("uid", maintain_order=True).agg(
        pl.col("tokens"),
        triggered=pl.col("trigger").any(),
        person_triggered=pl.col("person_trigger").any(),
    ).with_columns(
        pl.col("person_triggered")
        | pl.col("tokens").list.first().is_in(list(_person_first_triggers()))
        | pl.col("tokens").list.last().is_in(list(_person_last_triggers()))
    )


@cache
def _person_first_triggers() -> frozenset[str]:
    """First words of titles and slipped honorifics: `_strip_titles` changes nothing else."""
    return frozenset({phrase[0] for phrase in _titles()} | _slipped_titles())


@cache
def _person_last_triggers() -> frozenset[str]:
    """Last words of legal forms (in a person's name only a legal form ending it is replaced)
    and trailing suffixes: `_finish_cached` changes nothing else at the end."""
    return frozenset(phrase[-1] for phrase in _legal_forms()) | _TRAILING_SUFFIXES


# A piece `piece_tokens` leaves as one token apart from spelling: letters only or digits only.
_PLAIN_PIECE = r"^(?:[a-z]+|[0-9]+)$"


def _fold_spelling_expr(tokens: pl.Expr) -> pl.Expr:
    """`_fold_spelling` on a column: listed spellings, then -isation(s) -> -ization(s)."""
    spelling = _spelling()
    listed = tokens.replace(list(spelling), list(spelling.values()))
    return listed.str.replace(r"^([a-z0-9]{2,})isation(s?)$", "${1}ization${2}")


def _finish_frame(unique: pl.DataFrame, tokens: pl.DataFrame) -> pl.DataFrame:
    """Stage C on the names that need it; (name, schema, tokens) for every unique name."""
    # A person's name changes only for a comma, an Abd unit, a leading title or a trailing
    # legal form; other names for any token stage C knows.
    triggered = pl.when(pl.col("schema") == PERSON).then("person_triggered").otherwise("triggered")
    merged = unique.join(tokens, on="uid", how="left").with_columns(
        pl.col("tokens").fill_null(pl.lit([], dtype=_LIST)),
        triggered.fill_null(value=False).alias("triggered"),
    )
    todo = merged.filter(pl.col("triggered"))
    uids = todo.get_column("uid").to_list()
    finished = (
        finish_tokens(words, schema)
        for words, schema in zip(
            todo.get_column("tokens").to_list(), todo.get_column("schema"), strict=True
        )
    )
    done = (
        _flat_frame(uids, finished, "uid", "tokens", pl.UInt32())
        .group_by("uid", maintain_order=True)
        .agg("tokens")
    )
    todo = todo.select("uid", "name", "schema").join(done, on="uid", how="left")
    return pl.concat(
        [merged.filter(~pl.col("triggered")).select("name", "schema", "tokens"),
         todo.select("name", "schema", "tokens")]
    )  # fmt: skip


def _with_symbols(finished: pl.DataFrame) -> pl.DataFrame:
    """(name, schema, tokens) with ``symbol_tokens`` for the names left without tokens that
    hold something besides spaces ("@"): a handful at most."""
    bare = finished.filter(
        pl.col("tokens").fill_null(pl.lit([], dtype=_LIST)).list.len().eq(0)
    ).filter(pl.col("name").str.contains(r"\S"))
    if bare.height == 0:
        return finished
    symbols = bare.with_columns(
        pl.Series("tokens", [_symbols_of(name) for name in bare["name"]], dtype=_LIST)
    )
    return pl.concat([finished.join(bare, on=["name", "schema"], how="anti"), symbols])
