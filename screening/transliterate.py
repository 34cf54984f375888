"""Script detection and romanisation of names into Latin letters.

Cyrillic goes through `iuliia` (several official schemes); Arabic and Persian through this
project's own tables tuned for personal names (screening/data/arabic.yml), because Arabic
writes no short vowels and generic transliterators produce unreadable skeletons; Han and
Hangul through `anyascii` with a surname + given-name split; everything else through `anyascii`.
Output keeps case and spacing roughly; screening.normalise folds it to tokens.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import cache

import iuliia  # type: ignore[import-untyped]
from anyascii import anyascii

from screening import refdata

# Cyrillic schemes, primary first: ICAO Doc 9303 is what passports (and so bank KYC) carry;
# then the common English forms (BGN/PCGN, Wikipedia), the scholarly ISO 9 form and the French
# MVD form seen in Belgian and French documents.
CYRILLIC_SCHEMES: tuple[iuliia.Schema, ...] = (
    iuliia.ICAO_DOC_9303,
    iuliia.BGN_PCGN,
    iuliia.WIKIPEDIA,
    iuliia.ISO_9_1968,
    iuliia.MVD_310_FR,
)
# "as written": English-style letters without the short vowels the other two guess, for names
# of other languages written in Arabic script ("كريسويل" -> "kriswil", not "kariswil").
# "persian": Persian letter values (ذ ض ظ -> z, ث -> s, ق غ -> gh, consonant و -> v), for
# names written with Persian letters (ی ک پ چ ژ گ); other names read as in "english".
ARABIC_SCHEME_NAMES = ("english", "french", "as written", "persian")
_AS_WRITTEN = 2
_PERSIAN = 3
_PERSIAN_LETTERS = frozenset("\u06cc\u06a9\u067e\u0686\u0698\u06af")  # ی ک پ چ ژ گ

# Words in Unicode character names that identify a script; CJK ideographs are "Han".
_SCRIPT_WORDS = {
    "LATIN": "Latin",
    "CYRILLIC": "Cyrillic",
    "ARABIC": "Arabic",
    "GREEK": "Greek",
    "COPTIC": "Greek",
    "HEBREW": "Hebrew",
    "CJK": "Han",
    "HANGUL": "Hangul",
    "HIRAGANA": "Hiragana",
    "KATAKANA": "Katakana",
    "ARMENIAN": "Armenian",
    "GEORGIAN": "Georgian",
    "DEVANAGARI": "Devanagari",
    "BENGALI": "Bengali",
    "GURMUKHI": "Gurmukhi",
    "GUJARATI": "Gujarati",
    "TAMIL": "Tamil",
    "TELUGU": "Telugu",
    "KANNADA": "Kannada",
    "MALAYALAM": "Malayalam",
    "SINHALA": "Sinhala",
    "THAI": "Thai",
    "LAO": "Lao",
    "KHMER": "Khmer",
    "MYANMAR": "Myanmar",
    "TIBETAN": "Tibetan",
    "ETHIOPIC": "Ethiopic",
    "SYRIAC": "Syriac",
    "THAANA": "Thaana",
    "MONGOLIAN": "Mongolian",
}
# Marks some schemes write for the soft and hard signs (BGN/PCGN ’ ”, ISO 9 ʹ ʺ) and BGN/PCGN's
# separator dot ("t·s" for т+с): dropped, or they would cut a word in two ("otvet·stvennost’yu").
_CYRILLIC_SIGNS = str.maketrans(dict.fromkeys("’”ʹʺ·'\"", None))
_CYRILLIC_LEFT = re.compile("[\u0400-\u052f]")
COMMON = "Common"  # digits, spaces, punctuation: no script of their own
INHERITED = "Inherited"  # combining marks: take the script of the letter they sit on


@cache
def char_script(char: str) -> str:
    """The script of one character ("Latin", "Arabic", ..., "Common", "Inherited", "Other")."""
    category = unicodedata.category(char)
    if category.startswith("M"):
        return INHERITED
    if not category.startswith("L"):
        return COMMON
    for word in unicodedata.name(char, "").split():
        script = _SCRIPT_WORDS.get(word)
        if script:
            return script
    return "Other"


def detect_script(text: str) -> str:
    """The script most letters of `text` are written in; "Common" when it has no letters."""
    counts = Counter(char_script(char) for char in text)
    counts.pop(COMMON, None)
    counts.pop(INHERITED, None)
    if not counts:
        return COMMON
    return counts.most_common(1)[0][0]


def script_runs(text: str) -> list[tuple[str, str]]:
    """`text` cut into (script, chunk) runs; combining marks stay with the preceding letters."""
    runs: list[tuple[str, str]] = []
    for char in text:
        script = char_script(char)
        if script == INHERITED and runs:
            runs[-1] = (runs[-1][0], runs[-1][1] + char)
        elif runs and runs[-1][0] == script:
            runs[-1] = (script, runs[-1][1] + char)
        else:
            runs.append((COMMON if script == INHERITED else script, char))
    return runs


def scheme_count(script: str) -> int:
    """How many romanisation schemes `romanise` offers for a script."""
    if script == "Cyrillic":
        return len(CYRILLIC_SCHEMES)
    if script == "Hangul":
        return 2  # Revised Romanisation, and names as North Korea writes them
    if script == "Hebrew":
        return 2  # a vowel guessed after an opening consonant, and as written
    if script == "Arabic":
        return len(ARABIC_SCHEME_NAMES)
    return 1


def romanise_run(script: str, chunk: str, scheme: int = 0) -> str:
    """One single-script chunk in Latin letters with scheme number `scheme` (0 = primary)."""
    scheme = min(scheme, scheme_count(script) - 1)
    if script in (COMMON, "Latin"):
        return chunk
    if script == "Cyrillic":
        latin = str(CYRILLIC_SCHEMES[scheme].translate(chunk)).translate(_CYRILLIC_SIGNS)
        # Letters of other Cyrillic alphabets (Ukrainian є і ї ґ, Belarusian ў, Serbian ђ...)
        # that a Russian scheme leaves as they are.
        return _CYRILLIC_LEFT.sub(lambda found: str(anyascii(found.group(0))), latin)
    if script == "Arabic":
        if scheme == _PERSIAN and _PERSIAN_LETTERS.isdisjoint(chunk):
            scheme = 0
        return " ".join(romanise_arabic_word(word, scheme) for word in chunk.split())
    if script == "Hangul" and scheme == 1:
        return _korean_north(chunk)
    if script == "Hebrew":
        words = chunk.split()
        return " ".join(romanise_hebrew_word(word, guess_vowel=scheme == 0) for word in words)
    if script in ("Han", "Hangul"):
        return _surname_given(chunk)
    return str(anyascii(chunk))


def romanisations(text: str) -> int:
    """How many romanisation schemes apply to `text` (the most of any of its scripts)."""
    return max((scheme_count(script) for script, _ in script_runs(text)), default=1)


def romanise(text: str) -> list[str]:
    """All romanisations of `text`, primary scheme first, without duplicates."""
    runs = script_runs(text)
    count = max((scheme_count(script) for script, _ in runs), default=1)
    forms: list[str] = []
    for scheme in range(count):
        form = "".join(romanise_run(script, chunk, scheme) for script, chunk in runs)
        if form not in forms:
            forms.append(form)
    return forms


def _surname_given(chunk: str) -> str:
    """Han/Hangul: one syllable per character; the first is the surname, the rest one name."""
    syllables = re.findall(r"[A-Z][a-z]*|[a-z]+|[0-9]+", anyascii(chunk))
    if len(syllables) <= 1:
        return "".join(syllables)
    return f"{syllables[0]} {''.join(syllables[1:])}"


_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
_HANGUL_VOWELS, _HANGUL_FINALS = 21, 28


@cache
def _korean_letters() -> tuple[list[str], list[str], list[str]]:
    """(initials, vowels, finals) in Unicode's jamo order."""
    def part(key: str) -> list[str]:
        return refdata.string_list("korean", key)

    return part("initials"), part("vowels"), part("finals")


def _korean_syllable(char: str) -> str:
    """One Hangul syllable as North Korea writes it in Latin letters (other characters as they
    are)."""
    code = ord(char) - _HANGUL_FIRST
    if not 0 <= code <= _HANGUL_LAST - _HANGUL_FIRST:
        return char
    initials, vowels, finals = _korean_letters()
    initial, rest = divmod(code, _HANGUL_VOWELS * _HANGUL_FINALS)
    vowel, final = divmod(rest, _HANGUL_FINALS)
    return initials[initial] + vowels[vowel] + finals[final]


def _korean_north(chunk: str) -> str:
    """A Korean name as North Korea and the lists write it, each word whole ("김정은" ->
    "Kimjongun"; the lists' "Kim Jong Un" meets it as a whole name). Syllables apart would
    each meet the many list names that share one ("Yong Hui Kim" is not "KIM, Song Hun")."""
    return " ".join("".join(map(_korean_syllable, word)).capitalize() for word in chunk.split())


# --- Hebrew ---------------------------------------------------------------------------------

_HEBREW_MARKS = re.compile("[\u0591-\u05c7]")  # vowel points and cantillation
_HEBREW_VOWEL_LETTERS = frozenset("אעוי")


@cache
def _hebrew_letters() -> dict[str, tuple[str, str]]:
    table = refdata.list_map("hebrew", "letters")
    return {key: (value[0], value[1]) for key, value in table.items()}


@cache
def romanise_hebrew_word(word: str, guess_vowel: bool = True) -> str:
    """One Hebrew word in Latin letters, its vowel letters read as vowels (see hebrew.yml)."""
    bare = _HEBREW_MARKS.sub("", word)
    units: list[tuple[str, bool]] = []  # (latin, is_vowel)
    letters = _hebrew_letters()
    index = 0
    while index < len(bare):
        char, after = bare[index], bare[index + 1 : index + 2]
        last = index == len(bare) - 1
        if char in "וי" and (index == 0 or after == char):
            units.append(("v" if char == "ו" else "y", False))
            index += 2 if after == char else 1
            continue
        if char == "ו":
            units.append(("u" if last else "o", True))
        elif char == "י":  # a consonant before a vowel letter ("אריאל": aryal), else a vowel
            units.append(("y", False) if after in _HEBREW_VOWEL_LETTERS else ("i", True))
        elif char in "אע" or (char == "ה" and last and index > 0):
            units.append(("a", True))
        elif char in letters:
            units.append((letters[char][0 if index == 0 else 1], False))
        else:
            units.append((str(anyascii(char)), False))
        index += 1
    if guess_vowel and len(units) >= 2 and not units[0][1] and not units[1][1]:
        units.insert(1, ("e", True))
    return "".join(latin for latin, _ in units)


# --- Arabic and Persian -------------------------------------------------------------------

_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u0640\u06d6-\u06ed]")
_ALEF_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ی": "ي", "ک": "ك", "ې": "ي"})
_ARABIC_VOWEL_LETTERS = frozenset("اوي")
_ARTICLE = ("al", "el")
_ABU = ("abu", "abou")


@cache
def _arabic_letters() -> dict[str, tuple[str, str]]:
    table = refdata.list_map("arabic", "letters")
    return {key: (value[0], value[1]) for key, value in table.items()}


@cache
def _persian_letters() -> dict[str, str]:
    return refdata.string_map("arabic", "persian_letters")


@cache
def _arabic_words() -> dict[str, tuple[str, str]]:
    table = refdata.list_map("arabic", "words")
    return {key.translate(_ALEF_FOLD): (value[0], value[1]) for key, value in table.items()}


@cache
def romanise_arabic_word(word: str, scheme: int = 0, after_abd: bool = False) -> str:
    """One Arabic-script word in Latin letters (0 = English style, 1 = French/Maghreb style,
    2 = as written, 3 = Persian).

    Frequent name words come from the dictionary; an attached article or "Abd"/"Abu" prefix is
    split off ("عبدالرحمن" -> "abd al rahman"); other words go letter by letter.
    """
    bare = _ARABIC_MARKS.sub("", word)
    opening = bare[:1]
    bare = bare.translate(_ALEF_FOLD)
    style = 1 if scheme == 1 else 0  # as written and Persian: the English letters
    known = _known_word(bare)
    if known:
        return known[style]
    # As written, an opening "al" stays in its word ("اليزا" -> "aliza"), except where it is
    # the article of an attached Abd al-X unit ("عبدالقادر": "abd al qadr", one unit).
    if bare.startswith("ال") and len(bare) > 3 and (scheme != _AS_WRITTEN or after_abd):
        return f"{_ARTICLE[style]} {romanise_arabic_word(bare[2:], scheme)}"
    if bare.startswith("عبد") and len(bare) > 4:
        return f"abd {romanise_arabic_word(bare[3:], scheme, after_abd=True)}"
    if bare.startswith("ابو") and len(bare) > 4:
        return f"{_ABU[style]} {romanise_arabic_word(bare[3:], scheme)}"
    glued = _two_known_words(bare)
    if glued:
        return f"{glued[0][style]} {glued[1][style]}"
    units = _arabic_by_letter(bare, style, opening, persian=scheme == _PERSIAN)
    if scheme != _AS_WRITTEN:
        units = _insert_vowels(units)
    return "".join(latin for latin, _ in units)


def _known_word(bare: str) -> tuple[str, str] | None:
    """The dictionary forms of a word; Persian writes a final alef maqsura as ی ("مصطفی")."""
    words = _arabic_words()
    if bare in words:
        return words[bare]
    return words.get(bare[:-1] + "ى") if bare.endswith("ي") else None


_GLUED_MIN_LETTERS = 3


def _two_known_words(bare: str) -> tuple[tuple[str, str], tuple[str, str]] | None:
    """Two dictionary words written as one, as Persian names often are ("محمدجواد":
    Mohammad Javad, "امیرعلی": Amir Ali)."""
    for cut in range(_GLUED_MIN_LETTERS, len(bare) - _GLUED_MIN_LETTERS + 1):
        first, second = _known_word(bare[:cut]), _known_word(bare[cut:])
        if first and second:
            return first, second
    return None


def _arabic_by_letter(
    word: str, scheme: int, opening: str, *, persian: bool = False
) -> list[tuple[str, bool]]:
    """Letter-by-letter romanisation (English style 0, French 1; ``persian``: English style
    with Persian letter values) as (latin, is_vowel) units, with the long-vowel guesses names
    need most often. ``opening`` is the word's first letter before alef forms were folded."""
    units: list[tuple[str, bool]] = []  # (latin, is_vowel)
    letters = _arabic_letters()
    own = _persian_letters() if persian else {}
    for index, char in enumerate(word):
        after = word[index + 1] if index + 1 < len(word) else ""
        before_vowel = bool(units) and units[-1][1]
        if char == "ا":
            # Persian names open with e before a consonant (Esmail, Ebrahim, Eslami).
            opening_e = (
                persian and index == 0 and opening == "ا" and after not in _ARABIC_VOWEL_LETTERS
            )
            vowel = "i" if index == 0 and opening == "إ" else "e" if opening_e else "a"
            units.append((vowel, True))
        elif char == "و":
            consonant = index == 0 or after in _ARABIC_VOWEL_LETTERS or before_vowel
            letter = "v" if persian else ("w", "ou")[scheme]
            units.append((letter, False) if consonant else (("u", "ou")[scheme], True))
        elif char == "ي":
            consonant = index == 0 or after == "ا" or (before_vowel and after != "")
            units.append(("y", False) if consonant else ("i", True))
        elif char == "ع":
            if after and after != "ا":
                units.append(("a", True))
        elif persian and char == "ه" and not after and units and not units[-1][1]:
            units.append(("eh", True))  # a final silent h after a consonant: Zadeh, Khameneh
        elif char in own:
            units.append((own[char], False))
        elif char in letters:
            latin = letters[char][scheme]
            if latin:
                units.append((latin, char in "ةىئ"))
        else:
            units.append((str(anyascii(char)), False))
    return units


def _insert_vowels(units: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """Arabic words never open with two consonants ("zrqawi" -> "zarqawi"), and a final pair
    of consonants after a long vowel takes an i ("khald" -> "khalid", "ladn" -> "ladin")."""
    result = list(units)
    if len(result) >= 2 and not result[0][1] and not result[1][1]:
        result.insert(1, ("a", True))
    if len(result) >= 4 and result[-3][1] and not result[-2][1] and not result[-1][1]:
        result.insert(len(result) - 1, ("i", True))
    return result
