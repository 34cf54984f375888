"""Dates as lists write them, turned into ISO strings cut to their precision."""

from __future__ import annotations

import re
from functools import lru_cache

from lists.model import BirthDate

_MONTHS = {
    name: index
    for index, names in enumerate(
        [
            ("jan", "january", "janvier"), ("feb", "february", "fevrier", "février"),
            ("mar", "march", "mars"), ("apr", "april", "avril"), ("may", "mai"),
            ("jun", "june", "juin"), ("jul", "july", "juillet"),
            ("aug", "august", "aout", "août"), ("sep", "sept", "september", "septembre"),
            ("oct", "october", "octobre"), ("nov", "november", "novembre"),
            ("dec", "december", "decembre", "décembre"),
        ],
        start=1,
    )
    for name in names
}
_APPROX = re.compile(r"\b(circa|ca\.?|approx(?:imately)?\.?|about|around|c\.)\s*", re.I)
_RANGE = re.compile(r"^(.+?)\s*(?:\bto\b|-|–|\band\b|/)\s*(\d{4})$", re.I)
# "01 Jan 1953 to 31 Dec 1954": both ends full dates (OFAC writes year ranges so).
_RANGE_DATES = re.compile(r"^(.+?)\s+(?:to|and)\s+(.+)$", re.I)


def _valid(year: int, month: int = 1, day: int = 1) -> bool:
    return 1800 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31


def _iso(year: int, month: int | None = None, day: int | None = None) -> str | None:
    if not _valid(year, month or 1, day or 1):
        return None
    if month is None:
        return f"{year:04d}"
    if day is None:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}"


def iso_date(text: str | None, *, dayfirst: bool = True) -> str | None:
    """One date in any common list form as ISO, cut to known parts; None when unreadable.

    Unknown parts written as 00 ("00/00/1980") or omitted give a shorter ISO string.
    """
    if text is None:
        return None
    return _iso_date(text, dayfirst)


@lru_cache(maxsize=65536)
def _iso_date(text: str, dayfirst: bool) -> str | None:
    # Lists repeat the same dates; parsing each spelling once is enough.
    value = text.strip().rstrip(".").strip()
    if not value:
        return None
    if match := re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T ].*)?", value):
        year, month, day = (int(g) if g else None for g in match.groups())
        assert year is not None
        return _iso(year, month or None, (day or None) if month else None)
    if match := re.fullmatch(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})", value):
        first, second, year = (int(g) for g in match.groups())
        day, month = (first, second) if dayfirst else (second, first)
        if month == 0:
            return _iso(year)
        return _iso(year, month, day or None)
    if match := re.fullmatch(r"(\d{1,2})[./-](\d{4})", value):
        month, year = int(match[1]), int(match[2])
        return _iso(year, month or None)
    if match := re.fullmatch(r"(?:(\d{1,2})\s+)?([A-Za-zéû]+)\.?,?\s+(\d{4})", value):
        month = _MONTHS.get(match[2].casefold())
        if month is not None:
            return _iso(int(match[3]), month, int(match[1]) if match[1] else None)
    if match := re.fullmatch(r"([A-Za-zéû]+)\.?\s+(\d{1,2}),?\s+(\d{4})", value):
        month = _MONTHS.get(match[1].casefold())
        if month is not None:
            return _iso(int(match[3]), month, int(match[2]))
    return None


def _whole_years(start: str, end: str) -> tuple[str, str]:
    """'1953-01-01' to '1954-12-31' is the range of years 1953 to 1954."""
    if start.endswith("-01-01") and end.endswith("-12-31"):
        return start[:4], end[:4]
    return start, end


def parse_birth_date(text: str | None, *, dayfirst: bool = True) -> BirthDate | None:
    """A date of birth with its precision, including "circa 1960" and "1960 to 1962"."""
    if text is None or not text.strip():
        return None
    value = text.strip()
    approximate = bool(_APPROX.search(value))
    value = _APPROX.sub("", value).strip()
    if match := _RANGE.match(value):
        start, end = iso_date(match[1], dayfirst=dayfirst), iso_date(match[2])
        if start is not None and end is not None:
            return BirthDate(value=start, until=end, approximate=approximate)
    if match := _RANGE_DATES.match(value):
        start = iso_date(match[1], dayfirst=dayfirst)
        end = iso_date(match[2], dayfirst=dayfirst)
        if start is not None and end is not None:
            start, end = _whole_years(start, end)
            until = None if end == start else end
            return BirthDate(value=start, until=until, approximate=approximate)
    iso = iso_date(value, dayfirst=dayfirst)
    if iso is None:
        return None
    return BirthDate(value=iso, approximate=approximate)
