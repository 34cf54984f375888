"""Name and birth-date variations for the matching quality benchmark.

One function per variation category (DOMAIN.md 2.1). Each takes a list name, a seeded
``random.Random`` and the entity's schema, and returns the varied name, or None when the
category does not apply to that name (e.g. no double letter to make single, a person name for a
legal-form change). Functions are deterministic for a given generator state.

Case is kept: list names are often upper-case, so inserted letters and replacements follow the
case of the text they replace.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable

import polars as pl

from benchmarks.common import script_of

VariationFn = Callable[[str, random.Random, str], str | None]
DobFn = Callable[[str, random.Random], str | None]

PERSON = "Person"
ORGANIZATION = "Organization"
NBSP = "\u00a0"
TRUNCATE_AT = 35  # MT103 / pacs.008 name lines are 35 characters

_VOWELS = "aeiou"
# QWERTY neighbours: realistic "fat finger" insertions and substitutions.
_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def _neighbours() -> dict[str, str]:
    table: dict[str, str] = {}
    for r, row in enumerate(_KEYBOARD_ROWS):
        for c, ch in enumerate(row):
            near = [row[i] for i in (c - 1, c + 1) if 0 <= i < len(row)]
            for other in (r - 1, r + 1):
                if 0 <= other < len(_KEYBOARD_ROWS):
                    near.extend(_KEYBOARD_ROWS[other][max(c - 1, 0) : c + 1])
            table[ch] = "".join(sorted(set(near) - {ch}))
    return table


_NEAR = _neighbours()


def _match_case(template: str, text: str) -> str:
    """``text`` written in the case of ``template`` (upper, title or lower)."""
    if template.isupper():
        return text.upper()
    if template[:1].isupper():
        return text[:1].upper() + text[1:].lower()
    return text.lower()


def _letter_positions(name: str) -> list[int]:
    """Positions of ASCII letters: typos are keyboard slips, so only Latin letters qualify."""
    return [i for i, ch in enumerate(name) if ch.isascii() and ch.isalpha()]


def _tokens(name: str) -> list[str]:
    return name.split()


def _is_person(schema: str) -> bool:
    return schema == PERSON


def _is_org(schema: str) -> bool:
    return schema in (ORGANIZATION, "Company", "LegalEntity")


# -- character-level typos ------------------------------------------------------------------


def typo_insertion(name: str, rng: random.Random, schema: str) -> str | None:
    positions = _letter_positions(name)
    if not positions:
        return None
    i = rng.choice(positions)
    ch = name[i]
    extra = _match_case(ch, rng.choice(_NEAR[ch.lower()]))
    return name[: i + 1] + extra + name[i + 1 :]


def typo_deletion(name: str, rng: random.Random, schema: str) -> str | None:
    # Never delete the only letter of a token: that would be a dropped token, not a typo.
    positions = [i for i in _letter_positions(name) if _token_len_at(name, i) >= 3]
    if not positions:
        return None
    i = rng.choice(positions)
    return name[:i] + name[i + 1 :]


def typo_substitution(name: str, rng: random.Random, schema: str) -> str | None:
    positions = _letter_positions(name)
    if not positions:
        return None
    i = rng.choice(positions)
    ch = name[i]
    return name[:i] + _match_case(ch, rng.choice(_NEAR[ch.lower()])) + name[i + 1 :]


def _token_len_at(name: str, i: int) -> int:
    start = i
    while start > 0 and not name[start - 1].isspace():
        start -= 1
    end = i
    while end < len(name) and not name[end].isspace():
        end += 1
    return end - start


def transposition(name: str, rng: random.Random, schema: str) -> str | None:
    pairs = [
        i
        for i in range(len(name) - 1)
        if name[i].isalpha() and name[i + 1].isalpha() and name[i].lower() != name[i + 1].lower()
    ]
    if not pairs:
        return None
    i = rng.choice(pairs)
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]


def char_repetition(name: str, rng: random.Random, schema: str) -> str | None:
    positions = [i for i, ch in enumerate(name) if ch.isalpha()]
    if not positions:
        return None
    i = rng.choice(positions)
    return name[: i + 1] + name[i] + name[i + 1 :]


def double_to_single(name: str, rng: random.Random, schema: str) -> str | None:
    doubles = [i for i in range(len(name) - 1) if name[i].isalpha() and name[i] == name[i + 1]]
    if not doubles:
        return None
    i = rng.choice(doubles)
    return name[:i] + name[i + 1 :]


def vowel_replacement(name: str, rng: random.Random, schema: str) -> str | None:
    positions = [i for i, ch in enumerate(name) if ch.lower() in _VOWELS]
    if not positions:
        return None
    i = rng.choice(positions)
    ch = name[i]
    other = rng.choice([v for v in _VOWELS if v != ch.lower()])
    return name[:i] + _match_case(ch, other) + name[i + 1 :]


# Sound-alike spellings, both directions where both exist in real names.
_PHONETIC: tuple[tuple[str, str], ...] = (
    ("ph", "f"),
    ("f", "ph"),
    ("ck", "k"),
    ("c(?=[aou])", "k"),
    ("k", "c"),
    ("q", "k"),
    ("ou", "u"),
    ("u", "ou"),
    ("ee", "i"),
    ("i", "ee"),
    ("y", "i"),
    ("i", "y"),
    ("dj", "j"),
    ("j", "dj"),
    ("sh", "ch"),
    ("ch", "sh"),
    ("kh", "h"),
    ("kh", "k"),
    ("x", "ks"),
    ("w", "v"),
    ("v", "w"),
    ("th", "t"),
    ("gh", "g"),
    ("z", "s"),
)


def phonetic_replacement(name: str, rng: random.Random, schema: str) -> str | None:
    return _replace_one(name, rng, _PHONETIC)


def _replace_one(
    name: str, rng: random.Random, rules: tuple[tuple[str, str], ...], whole_word: bool = False
) -> str | None:
    """Apply one rule at one place, chosen at random among every place a rule matches."""
    sites: list[tuple[int, int, str]] = []
    for pattern, replacement in rules:
        regex = rf"(?<![^\W\d_]){pattern}(?![^\W\d_])" if whole_word else pattern
        for found in re.finditer(regex, name, flags=re.IGNORECASE):
            if found.group(0).lower() != replacement.lower():
                sites.append((found.start(), found.end(), replacement))
    if not sites:
        return None
    start, end, replacement = rng.choice(sites)
    return name[:start] + _match_case(name[start:end], replacement) + name[end:]


_HOMOGLYPHS = {"o": "0", "l": "1", "i": "1", "e": "3", "s": "5"}


def homoglyph(name: str, rng: random.Random, schema: str) -> str | None:
    """Exactly one letter swapped for the digit that looks like it."""
    positions = [i for i, ch in enumerate(name) if ch.lower() in _HOMOGLYPHS]
    if not positions:
        return None
    i = rng.choice(positions)
    return name[:i] + _HOMOGLYPHS[name[i].lower()] + name[i + 1 :]


# -- diacritics and punctuation -------------------------------------------------------------

_STROKED = str.maketrans({"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ß": "ss"})


def strip_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_STROKED))
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    )


def diacritics_lost(name: str, rng: random.Random, schema: str) -> str | None:
    # Only Latin names: Arabic vowel marks and Cyrillic й are not "diacritics lost" typing.
    plain = strip_diacritics(name)
    return plain if plain != name and plain.isascii() else None


_ACCENTED = {
    "a": "áàâäã",
    "e": "éèêë",
    "i": "íîï",
    "o": "óôöõ",
    "u": "úûü",
    "n": "ñ",
    "c": "çč",
    "s": "š",
    "z": "ž",
}


def diacritics_added(name: str, rng: random.Random, schema: str) -> str | None:
    positions = [i for i, ch in enumerate(name) if ch.isascii() and ch.lower() in _ACCENTED]
    if not positions:
        return None
    i = rng.choice(positions)
    accented = rng.choice(_ACCENTED[name[i].lower()])
    return name[:i] + (accented.upper() if name[i].isupper() else accented) + name[i + 1 :]


def punctuation(name: str, rng: random.Random, schema: str) -> str | None:
    """A hyphen for a space, a space for a hyphen, or an apostrophe dropped or added."""
    options: list[str] = []
    for m in re.finditer(" ", name):
        options.append(name[: m.start()] + "-" + name[m.end() :])
    for m in re.finditer("-", name):
        options.append(name[: m.start()] + " " + name[m.end() :])
    for m in re.finditer("['’`]", name):
        options.append(name[: m.start()] + name[m.end() :])
    for m in re.finditer(r"(?<=\b[A-Za-z]{1})(?=[A-Za-z]{3,})", name):
        options.append(name[: m.start()] + "'" + name[m.start() :])
    options = [o for o in options if o.strip() and o != name]
    return rng.choice(options) if options else None


def nbsp(name: str, rng: random.Random, schema: str) -> str | None:
    spaces = [i for i, ch in enumerate(name) if ch == " "]
    if not spaces:
        return None
    i = rng.choice(spaces)
    return name[:i] + NBSP + name[i + 1 :]


# -- token-level changes --------------------------------------------------------------------


def word_reorder(name: str, rng: random.Random, schema: str) -> str | None:
    tokens = _tokens(name.replace(",", " "))
    if len(tokens) < 2 or len(set(tokens)) < 2:
        return None
    shuffled = tokens[:]
    while shuffled == tokens:
        rng.shuffle(shuffled)
    return " ".join(shuffled)


def comma_inversion(name: str, rng: random.Random, schema: str) -> str | None:
    """ "First Middle LAST" -> "LAST, First Middle"; a list name already inverted is un-inverted."""
    if not _is_person(schema):
        return None
    if name.count(",") == 1:
        last, first = (part.strip() for part in name.split(","))
        return f"{first} {last}" if first and last else None
    tokens = _tokens(name)
    if len(tokens) < 2 or "," in name:
        return None
    return f"{tokens[-1]}, {' '.join(tokens[:-1])}"


def joined_words(name: str, rng: random.Random, schema: str) -> str | None:
    spaces = [i for i, ch in enumerate(name) if ch == " "]
    if not spaces:
        return None
    i = rng.choice(spaces)
    return name[:i] + name[i + 1 :]


def split_word(name: str, rng: random.Random, schema: str) -> str | None:
    sites = [
        m.start() + cut
        for m in re.finditer(r"[^\W\d_]{6,}", name)
        for cut in range(3, len(m.group(0)) - 2)
    ]
    if not sites:
        return None
    i = rng.choice(sites)
    return name[:i] + " " + name[i:]


def dropped_token(name: str, rng: random.Random, schema: str) -> str | None:
    """A middle token dropped (a middle name missing); only names of three tokens or more."""
    tokens = _tokens(name)
    if len(tokens) < 3:
        return None
    i = rng.randrange(1, len(tokens) - 1)
    return " ".join(tokens[:i] + tokens[i + 1 :])


_GIVEN_NAMES = ("Mohammed", "Ali", "Ahmed", "John", "Maria", "Ivan", "Abdul", "Hassan", "Jose")


def extra_token(name: str, rng: random.Random, schema: str) -> str | None:
    """A token duplicated, or (persons) a common given name added."""
    tokens = _tokens(name)
    if not tokens:
        return None
    if _is_person(schema) and rng.random() < 0.5:
        token = _match_case(tokens[0], rng.choice(_GIVEN_NAMES))
        i = rng.randrange(1, len(tokens) + 1)
    else:
        i = rng.randrange(len(tokens))
        token = tokens[i]
    return " ".join([*tokens[:i], token, *tokens[i:]])


def initials(name: str, rng: random.Random, schema: str) -> str | None:
    """The first given name cut to its initial: "Ali Hassan X" -> "A. Hassan X"."""
    if not _is_person(schema):
        return None
    if name.count(",") == 1:
        last, given = name.split(",")
        tokens = _tokens(given)
        if not tokens or not tokens[0][:1].isalpha():
            return None
        return f"{last.strip()}, {' '.join([tokens[0][0] + '.', *tokens[1:]])}"
    tokens = _tokens(name)
    if len(tokens) < 2 or not tokens[0][:1].isalpha() or len(tokens[0]) < 2:
        return None
    return " ".join([tokens[0][0] + ".", *tokens[1:]])


_TITLES = ("Mr", "Mrs", "Dr", "Sheikh", "Shaykh", "Hajji", "Haji", "Mullah", "Maulana", "Prof.")


def title_added(name: str, rng: random.Random, schema: str) -> str | None:
    if not _is_person(schema):
        return None
    return f"{rng.choice(_TITLES)} {name}"


_LEGAL_FORMS = (
    "LLC",
    "Ltd",
    "Limited",
    "GmbH",
    "SA",
    "S.A.",
    "JSC",
    "OJSC",
    "CJSC",
    "PJSC",
    "LLP",
    "Inc",
    "Corp",
    "Co",
    "AG",
    "BV",
    "SARL",
    "SRL",
    "PLC",
    "FZE",
    "OOO",
)
_LEGAL_KEYS = {re.sub(r"[^a-z]", "", f.lower()) for f in _LEGAL_FORMS}


def legal_form(name: str, rng: random.Random, schema: str) -> str | None:
    """For organisations: a legal form removed or swapped when present, else one added."""
    if not _is_org(schema):
        return None
    tokens = _tokens(name)
    if not tokens:
        return None
    present = [i for i, t in enumerate(tokens) if re.sub(r"[^a-z]", "", t.lower()) in _LEGAL_KEYS]
    if present and len(tokens) > 1:
        i = rng.choice(present)
        current = re.sub(r"[^a-z]", "", tokens[i].lower())
        if rng.random() < 0.5:
            return " ".join(tokens[:i] + tokens[i + 1 :])
        choices = [f for f in _LEGAL_FORMS if re.sub(r"[^a-z]", "", f.lower()) != current]
        return " ".join(
            [*tokens[:i], _match_case(tokens[i], rng.choice(choices)), *tokens[i + 1 :]]
        )
    form = rng.choice(_LEGAL_FORMS)
    return f"{name.rstrip(' ,')} {form.upper() if name.isupper() else form}"


_ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    ("international", "Intl"),
    ("company", "Co"),
    ("services", "Svcs"),
    ("service", "Svc"),
    ("group", "Grp"),
    ("technology", "Tech"),
    ("technologies", "Tech"),
    ("corporation", "Corp"),
    ("limited", "Ltd"),
    ("trading", "Trdg"),
    ("industries", "Inds"),
    ("industrial", "Indl"),
    ("management", "Mgmt"),
    ("development", "Dev"),
    ("brothers", "Bros"),
    ("association", "Assn"),
    ("organization", "Org"),
    ("organisation", "Org"),
    ("foundation", "Fdn"),
    ("manufacturing", "Mfg"),
    ("engineering", "Eng"),
    ("shipping", "Shpg"),
    ("national", "Natl"),
    ("construction", "Constr"),
    ("investment", "Inv"),
    ("enterprises", "Ent"),
    ("establishment", "Est"),
)


def abbreviation(name: str, rng: random.Random, schema: str) -> str | None:
    return _replace_one(name, rng, _ABBREVIATIONS, whole_word=True)


# -- transliteration ------------------------------------------------------------------------

_MOHAMMED = ("Mohammed", "Mohammad", "Muhammad", "Mohamed", "Mohamad", "Muhammed", "Mohd")
_ARABIC_ROMANISATION: tuple[tuple[str, str], ...] = (
    *((a, b) for a in _MOHAMMED for b in _MOHAMMED if a != b and a != "Mohd"),
    ("al-", "el-"),
    ("al-", "al "),
    ("al-", "al"),
    ("el-", "al-"),
    ("al ", "al-"),
    ("bin", "ibn"),
    ("bin", "ben"),
    ("ibn", "bin"),
    ("ben", "bin"),
    ("abdul ", "abd al-"),
    ("abdul ", "abdel"),
    ("abdul", "abdel"),
    ("abdel", "abdul"),
    ("abd al-", "abdul"),
    ("abd al ", "abdul "),
    ("ahmed", "ahmad"),
    ("ahmad", "ahmed"),
    ("hussein", "husain"),
    ("husain", "hussein"),
    ("hussain", "husayn"),
    ("youssef", "yusuf"),
    ("yusuf", "youssef"),
    ("usama", "osama"),
    ("osama", "usama"),
    ("omar", "umar"),
    ("umar", "omar"),
    ("abu", "abou"),
    ("abou", "abu"),
    ("ou", "u"),
    ("dj", "j"),
    ("j", "dj"),
    ("q", "k"),
    ("q", "g"),
)
_ROMANISATION_PREFIX = {
    "al-",
    "el-",
    "al ",
    "abdul ",
    "abd al-",
    "abd al ",
    "abdel",
    "abdul",
    "abu",
    "abou",
}


def _arabic_romanisation(name: str, rng: random.Random) -> str | None:
    sites: list[tuple[int, int, str]] = []
    for pattern, replacement in _ARABIC_ROMANISATION:
        word = re.escape(pattern)
        # Whole names and particles only start at a word boundary; letter rules go anywhere.
        regex = rf"\b{word}" if len(pattern) > 2 or pattern in _ROMANISATION_PREFIX else word
        if len(pattern) > 3 and not pattern.endswith(("-", " ")):
            regex += r"\b"
        for found in re.finditer(regex, name, flags=re.IGNORECASE):
            sites.append((found.start(), found.end(), replacement))
    if not sites:
        return None
    start, end, replacement = rng.choice(sites)
    varied = name[:start] + _match_case(name[start:end], replacement) + name[end:]
    return varied if varied != name else None


# Two romanisation schemes of Russian/Ukrainian Cyrillic: ICAO Doc 9303 (passports) and a
# BGN/PCGN-like scheme. Letters not listed map the same way in both.
_CYRILLIC_COMMON = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "з": "z", "и": "i",
    "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s",
    "т": "t", "у": "u", "ф": "f", "ы": "y", "э": "e", "і": "i", "ґ": "g",
}  # fmt: skip
_CYRILLIC_SCHEMES: tuple[dict[str, str], ...] = (
    {  # ICAO 9303
        "ё": "e", "ж": "zh", "й": "i", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
        "щ": "shch", "ъ": "ie", "ь": "", "ю": "iu", "я": "ia", "є": "ie", "ї": "i",
    },
    {  # BGN/PCGN-like
        "ё": "yo", "ж": "zh", "й": "y", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
        "щ": "shch", "ъ": "", "ь": "", "ю": "yu", "я": "ya", "є": "ye", "ї": "yi",
    },
)  # fmt: skip


def romanise_cyrillic(text: str, scheme: int) -> str:
    table = {**_CYRILLIC_COMMON, **_CYRILLIC_SCHEMES[scheme]}
    out: list[str] = []
    for ch in text:
        low = ch.lower()
        if low in table:
            latin = table[low]
            out.append(latin.capitalize() if ch.isupper() else latin)
        else:
            out.append(ch)
    return "".join(out)


def _is_cyrillic(text: str) -> bool:
    return any("CYRILLIC" in unicodedata.name(ch, "") for ch in text)


def transliteration(name: str, rng: random.Random, schema: str) -> str | None:
    """Another romanisation: Arabic-origin spellings in Latin names; Cyrillic names romanised."""
    if _is_cyrillic(name):
        return romanise_cyrillic(name, rng.randrange(len(_CYRILLIC_SCHEMES)))
    if not _letter_positions(name):
        return None
    return _arabic_romanisation(name, rng)


def truncation(name: str, rng: random.Random, schema: str) -> str | None:
    """Cut to a 35-character message field; only names longer than that."""
    if len(name) <= TRUNCATE_AT:
        return None
    return name[:TRUNCATE_AT].rstrip()


NAME_VARIATIONS: dict[str, VariationFn] = {
    "typo_insertion": typo_insertion,
    "typo_deletion": typo_deletion,
    "typo_substitution": typo_substitution,
    "transposition": transposition,
    "char_repetition": char_repetition,
    "double_to_single": double_to_single,
    "vowel_replacement": vowel_replacement,
    "phonetic_replacement": phonetic_replacement,
    "homoglyph": homoglyph,
    "diacritics_lost": diacritics_lost,
    "diacritics_added": diacritics_added,
    "punctuation": punctuation,
    "nbsp": nbsp,
    "word_reorder": word_reorder,
    "comma_inversion": comma_inversion,
    "joined_words": joined_words,
    "split_word": split_word,
    "dropped_token": dropped_token,
    "extra_token": extra_token,
    "initials": initials,
    "title_added": title_added,
    "legal_form": legal_form,
    "abbreviation": abbreviation,
    "transliteration": transliteration,
    "truncation": truncation,
}


# -- birth dates (the name stays exact) -----------------------------------------------------


def _full_date(dob: str) -> tuple[int, int, int] | None:
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", dob)
    return (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


def dob_year_shift(dob: str, rng: random.Random) -> str | None:
    parts = _full_date(dob)
    if parts is None:
        return None
    year, month, day = parts
    if month == 2 and day == 29:
        day = 28  # the shifted year is not a leap year
    return f"{year + rng.choice((-1, 1)):04d}-{month:02d}-{day:02d}"


def dob_year_only(dob: str, rng: random.Random) -> str | None:
    return dob[:4] if _full_date(dob) else None


def dob_day_month_swap(dob: str, rng: random.Random) -> str | None:
    parts = _full_date(dob)
    if parts is None or parts[2] > 12 or parts[1] == parts[2]:
        return None
    return f"{parts[0]:04d}-{parts[2]:02d}-{parts[1]:02d}"


def dob_absent(dob: str, rng: random.Random) -> str | None:
    """The query has no birth date at all (empty string = absent; None = not applicable)."""
    return "" if _full_date(dob) else None


DOB_VARIATIONS: dict[str, DobFn] = {
    "dob_year_shift": dob_year_shift,
    "dob_year_only": dob_year_only,
    "dob_day_month_swap": dob_day_month_swap,
    "dob_absent": dob_absent,
}


# -- building the query set -----------------------------------------------------------------

QUERY_SCHEMA: dict[str, type[pl.DataType] | pl.DataType] = {
    "name": pl.Utf8,
    "schema": pl.Utf8,
    "birth_date": pl.Utf8,
    "country": pl.Utf8,
    "nationality": pl.Utf8,
    "category": pl.Utf8,
    "expected_entity_id": pl.Utf8,
    "expected_list_id": pl.Utf8,
    "original_name": pl.Utf8,
    "script": pl.Utf8,
}
# Names a variation starts from: strong names only. Weak aliases and original-script names are
# covered by the exact category; transliteration also starts from Cyrillic original-script names.
_VARIED_KINDS = ("primary", "alias", "former")


def stratified_order(names: pl.DataFrame, seed: int, salt: str) -> pl.DataFrame:
    """Rows shuffled within each (list, schema) stratum, then interleaved round-robin.

    Walking this order and keeping the first N names a variation applies to spreads every
    category across lists and schemas instead of drawing mostly from the biggest list.
    """
    rng = random.Random(f"{seed}:{salt}")
    keys = rng.sample(range(1 << 30), names.height) if names.height else []
    return (
        names.with_columns(pl.Series("_shuffle", keys, dtype=pl.Int64))
        .sort("_shuffle")
        .with_columns(pl.int_range(pl.len()).over("list_id", "schema").alias("_turn"))
        .sort("_turn", "_shuffle")
        .drop("_shuffle", "_turn")
    )


def generate_name_queries(names: pl.DataFrame, per_category: int, seed: int) -> pl.DataFrame:
    """Up to ``per_category`` varied names per category, from names spread across lists.

    ``names`` has entity_id, list_id, schema, name, kind. The queries carry the varied name and
    the schema only (no birth date, no country), so they measure name matching alone.
    """
    rows: list[dict[str, str | None]] = []
    for category, func in NAME_VARIATIONS.items():
        kinds = (
            (*_VARIED_KINDS, "original_script") if category == "transliteration" else _VARIED_KINDS
        )
        pool = stratified_order(names.filter(pl.col("kind").is_in(kinds)), seed, category)
        rng = random.Random(f"{seed}:{category}:apply")
        made = 0
        for entity_id, list_id, schema, name in pool.select(
            "entity_id", "list_id", "schema", "name"
        ).iter_rows():
            varied = func(name, rng, schema)
            if varied is None or not varied.strip() or varied == name:
                continue
            rows.append(_query_row(varied, schema, None, category, entity_id, list_id, name))
            made += 1
            if made >= per_category:
                break
    return pl.DataFrame(rows, schema=QUERY_SCHEMA)


def generate_dob_queries(names: pl.DataFrame, per_category: int, seed: int) -> pl.DataFrame:
    """Exact primary names of persons with a full birth date, the date perturbed.

    ``names`` needs entity_id, list_id, schema, name, kind, birth_date (ISO), nationality.
    """
    persons = names.filter(
        (pl.col("schema") == PERSON)
        & (pl.col("kind") == "primary")
        & pl.col("birth_date").str.contains(r"^\d{4}-\d{2}-\d{2}$").fill_null(value=False)
    ).unique(subset=["list_id", "entity_id"], keep="first", maintain_order=True)
    rows: list[dict[str, str | None]] = []
    for category, func in DOB_VARIATIONS.items():
        pool = stratified_order(persons, seed, category)
        rng = random.Random(f"{seed}:{category}:apply")
        made = 0
        for entity_id, list_id, name, dob, nationality in pool.select(
            "entity_id", "list_id", "name", "birth_date", "nationality"
        ).iter_rows():
            varied = func(dob, rng)
            if varied is None:
                continue
            row = _query_row(name, PERSON, varied or None, category, entity_id, list_id, name)
            row["nationality"] = nationality
            rows.append(row)
            made += 1
            if made >= per_category:
                break
    return pl.DataFrame(rows, schema=QUERY_SCHEMA)


def _query_row(
    name: str,
    schema: str,
    birth_date: str | None,
    category: str,
    entity_id: str,
    list_id: str,
    original: str,
) -> dict[str, str | None]:
    return {
        "name": name,
        "schema": schema,
        "birth_date": birth_date,
        "country": None,
        "nationality": None,
        "category": category,
        "expected_entity_id": entity_id,
        "expected_list_id": list_id,
        "original_name": original,
        "script": script_of(original),
    }
