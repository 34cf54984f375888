"""Facts hidden in the Remarks column of OFAC's legacy flat files (sdn.csv, cons_prim.csv).

OFAC's legacy CSV has no columns for birth dates, nationalities or identifiers: everything is
written into one Remarks text as clauses separated by semicolons, e.g.::

    DOB 17 Jan 1941; POB El Menea, Algeria; nationality Algeria; Gender Male;
    Passport A1234 (Algeria) expires 01 Jan 2010; a.k.a. 'ABU AL-FOUTOUH'.

Everything here is a pure function of the text. Aliases found in remarks are the ones OFAC
classes as *weak* (its data specification, "The disposition of aliases": weak AKAs are not
stored in alt.csv but in the remarks, bracketed by quotes), so ``a.k.a. 'X'`` becomes a
WEAK_ALIAS; ``f.k.a. 'X'`` a FORMER name; ``n.k.a. 'X'`` a WEAK_ALIAS too. "Linked To: X" names
another party, never this one, and is ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from lists.countries import to_iso as _to_iso
from lists.dates import iso_date, parse_birth_date
from lists.identifiers import kind_of, make_identifier
from lists.model import BirthDate, Identifier, IdKind, Name, NameKind

# The same few hundred spellings repeat across thousands of clauses.
to_iso = cache(_to_iso)


@dataclass(slots=True)
class RemarkFacts:
    """What one remarks text says about its entity."""

    names: list[Name] = field(default_factory=list)
    birth_dates: list[BirthDate] = field(default_factory=list)
    birth_places: list[str] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)  # ISO alpha-2
    countries: list[str] = field(default_factory=list)  # ISO alpha-2 (country of registration)
    gender: str | None = None
    identifiers: list[Identifier] = field(default_factory=list)
    unknown_countries: list[str] = field(default_factory=list)  # spellings to_iso missed


# --- names -------------------------------------------------------------------------------

def person_name(full: str, kind: NameKind = NameKind.PRIMARY) -> Name:
    """A person's name as OFAC writes it ("LASTNAME, First Middle"), with its parts set.

    ``full`` is kept exactly as published; a name without a comma gets no parts.
    """
    last, sep, given = full.partition(", ")
    if not sep or not last.strip() or not given.strip():
        return Name(full=full, kind=kind)
    first, _, middle = given.strip().partition(" ")
    return Name(
        full=full, kind=kind, last=last.strip(), first=first, middle=middle.strip() or None
    )


def make_name(full: str, kind: NameKind, is_person: bool) -> Name:
    """A Name, with parts only for persons (organisation names also contain commas)."""
    return person_name(full, kind) if is_person else Name(full=full, kind=kind)


# --- dates of birth ----------------------------------------------------------------------

_RANGE_TO = re.compile(r"^(?P<start>.+?)\s+to\s+(?P<end>.+)$", re.I)
_CIRCA = re.compile(r"^(?:circa|approximately|approx\.?)\s+", re.I)


def _collapse_range(start: str, end: str) -> tuple[str, str | None]:
    """'01 Jan 1973 to 31 Dec 1975' is really '1973 to 1975'; same year gives one year."""
    if len(start) == 10 and len(end) == 10 and start[4:] == "-01-01" and end[4:] == "-12-31":
        start, end = start[:4], end[:4]
    elif (
        len(start) == 10 and len(end) == 10 and start[:7] == end[:7] and start[8:] == "01"
        and int(end[8:]) >= 28
    ):
        start, end = start[:7], end[:7]
    return start, (None if end == start else end)


def parse_dob(text: str) -> BirthDate | None:
    """One OFAC DOB value: '01 Jan 1960', 'Jan 1960', '1960', 'circa 1958', '1960 to 1962',
    '01 Jan 1973 to 31 Dec 1973' (a whole year written as a day range)."""
    value = text.strip().rstrip(".").strip()
    approximate = bool(_CIRCA.match(value))
    value = _CIRCA.sub("", value)
    if match := _RANGE_TO.match(value):
        start, end = iso_date(match["start"]), iso_date(match["end"])
        if start is not None and end is not None:
            low, high = _collapse_range(start, end)
            return BirthDate(value=low, until=high, approximate=approximate)
    birth = parse_birth_date(value)
    if birth is not None and approximate:
        birth.approximate = True
    return birth


# --- identifiers -------------------------------------------------------------------------

# Identifier labels as OFAC writes them in remarks, with the kind when kind_of() would not
# infer it from the label. Matched longest first at the start of a clause ("alt." removed).
_ID_LABELS: dict[str, IdKind | None] = {
    # passports and travel documents
    "Passport": None,
    "Passport No.": IdKind.PASSPORT,
    "Passport Booklet": None,
    "Diplomatic Passport": None,
    "Diplomatic Passport Laissez-Passer": None,
    "British National Overseas Passport": None,
    "Stateless Person Passport": None,
    "Travel Document Number": IdKind.PASSPORT,
    "Seafarer's Identification Document": IdKind.OTHER,
    # personal identity numbers
    "National ID No.": None,
    "National ID No. CNIC": IdKind.NATIONAL_ID,
    "National ID No. NIC": IdKind.NATIONAL_ID,
    "National Foreign ID Number": IdKind.NATIONAL_ID,
    "Cedula No.": None,
    "D.N.I.": IdKind.NATIONAL_ID,
    "N.I.E.": IdKind.NATIONAL_ID,
    "C.U.R.P.": IdKind.NATIONAL_ID,
    "C.U.I.": IdKind.NATIONAL_ID,
    "C.U.I.P.": IdKind.NATIONAL_ID,
    "CNP (Personal Numerical Code)": IdKind.NATIONAL_ID,
    "Identification Number": IdKind.NATIONAL_ID,
    "Personal ID Card": None,
    "Turkish Identification Number": IdKind.NATIONAL_ID,
    "Numero de Identidad": IdKind.NATIONAL_ID,
    "Citizen's Card Number": IdKind.NATIONAL_ID,
    "Kenyan ID No.": IdKind.NATIONAL_ID,
    "Tazkira National ID Card": None,
    "Refugee ID Card": None,
    "Stateless Person ID Card": None,
    "Moroccan Personal ID No.": None,
    "Bosnian Personal ID No.": None,
    "UAE Identification": IdKind.NATIONAL_ID,
    "SSN": None,
    "Residency Number": IdKind.NATIONAL_ID,
    "Credencial electoral": IdKind.NATIONAL_ID,
    "Electoral Registry No.": IdKind.NATIONAL_ID,
    "I.F.E.": IdKind.NATIONAL_ID,
    "Driver's License No.": IdKind.OTHER,
    "Birth Certificate Number": IdKind.OTHER,
    "Cartilla de Servicio Militar Nacional": IdKind.OTHER,
    "VisaNumberID": IdKind.OTHER,
    "Immigration No.": IdKind.OTHER,
    "Public Security and Immigration No.": IdKind.OTHER,
    "Permit Number": IdKind.OTHER,
    "SRE Permit No.": IdKind.OTHER,
    "Pilot License Number": IdKind.OTHER,
    # tax numbers
    "Tax ID No.": None,
    "R.F.C.": IdKind.TAX_ID,
    "RFC": None,
    "NIT #": None,
    "RUC #": IdKind.TAX_ID,
    "RIF #": IdKind.TAX_ID,
    "V.A.T. Number": IdKind.TAX_ID,
    "Italian Fiscal Code": IdKind.TAX_ID,
    "Fiscal Code": IdKind.TAX_ID,
    "US FEIN": IdKind.TAX_ID,
    "C.U.I.T.": IdKind.TAX_ID,
    "C.I.F.": IdKind.TAX_ID,
    "RTN": IdKind.TAX_ID,
    "Romanian Tax Registration": IdKind.TAX_ID,
    "Paraguayan tax identification number": None,
    "Numero Unico de Identificacao Tributaria (NUIT)": IdKind.TAX_ID,
    # company registrations
    "Registration Number": None,
    "Registration ID": None,
    "Business Registration Number": None,
    "Business Registration Document #": None,
    "Commercial Registry Number": IdKind.REGISTRATION,
    "Company Number": None,
    "UK Company Number": None,
    "Company ID: No.": IdKind.REGISTRATION,
    "Folio Mercantil No.": IdKind.REGISTRATION,
    "Matricula Mercantil No": IdKind.REGISTRATION,
    "C.R. No.": IdKind.REGISTRATION,
    "Romanian C.R.": IdKind.REGISTRATION,
    "Government Gazette Number": IdKind.REGISTRATION,
    "Unified Social Credit Code (USCC)": IdKind.REGISTRATION,
    "United Social Credit Code Certificate (USCCC)": IdKind.REGISTRATION,
    "Economic Register Number (CBLS)": IdKind.REGISTRATION,
    "Trade License No.": IdKind.REGISTRATION,
    "Chamber of Commerce Number": IdKind.REGISTRATION,
    "Istanbul Chamber of Comm. No.": IdKind.REGISTRATION,
    "Dubai Chamber of Commerce Membership No.": IdKind.REGISTRATION,
    "Public Registration Number": None,
    "Central Registration System Number": None,
    "MSB Registration Number": None,
    "Business Number": None,
    "Enterprise Number": IdKind.REGISTRATION,
    "Branch Unit Number": IdKind.REGISTRATION,
    "Registered Charity No.": IdKind.REGISTRATION,
    "Certificate of Incorporation Number": IdKind.REGISTRATION,
    "LE Number": IdKind.REGISTRATION,
    "D-U-N-S Number": IdKind.REGISTRATION,
    "Organization Code": IdKind.REGISTRATION,
    "Tourism License No.": IdKind.REGISTRATION,
    "Afghan Money Service Provider License Number": IdKind.REGISTRATION,
    "Legal Entity Number": None,
    # banks and securities
    "SWIFT/BIC": None,
    "BIK (RU)": IdKind.OTHER,
    "ISIN": IdKind.OTHER,
    "Identification Number ISIN": IdKind.OTHER,
    # vessels and aircraft
    "Vessel Registration Identification IMO": None,
    "Vessel Registration Identification": IdKind.IMO,
    "Identification Number IMO": None,
    "International Maritime Organization No.": IdKind.IMO,
    "Company Number IMO": None,
    "MMSI": None,
    "Other Vessel Call Sign": None,
    "Aircraft Tail Number": IdKind.OTHER,
    "Previous Aircraft Tail Number": IdKind.OTHER,
    "Aircraft Manufacturer's Serial Number (MSN)": IdKind.OTHER,
    "Aircraft Construction Number (also called L/N or S/N or F/N)": IdKind.OTHER,
    "Aircraft Serial Identification": IdKind.OTHER,
    "Aircraft Mode S Transponder Code": IdKind.OTHER,
    # contact points
    "Email Address": None,
    "Email": None,
    "Phone Number": None,
    "Phone No.": None,
    "PHONE": None,
    "Telephone": IdKind.PHONE,
    "Telephone No.": IdKind.PHONE,
    "Telephone Number": IdKind.PHONE,
    "Fax": IdKind.PHONE,
    "Fax No.": IdKind.PHONE,
    "FAX": IdKind.PHONE,
}

_ID_LABEL = re.compile(
    r"^(?P<label>"
    + "|".join(re.escape(label) for label in sorted(_ID_LABELS, key=len, reverse=True))
    + r")(?=[\s:#(]|$)[\s:#]*(?P<rest>.*)$"
)
# Resolved once: kind_of() is too slow to call per clause on a 15,000-entry list.
_KIND_BY_LABEL = {label.casefold(): kind or kind_of(label) for label, kind in _ID_LABELS.items()}
_WALLET = re.compile(r"^Digital Currency Address\s*-\s*(?P<coin>\w+)\s*:?\s+(?P<addr>\S+)")
_ID_NOTE = re.compile(r"[,;]?\s+(?=(?:issued|expires|expired|issue date|expire date)\b)", re.I)
_TRAILING_PAREN = re.compile(r"\s*\(([^()]*)\)\s*$")


def _split_value(rest: str) -> tuple[str, str | None, list[str]]:
    """(value, country, notes) of what follows an identifier label.

    "A1234 (Egypt) issued 2001 expires 2006" -> ("A1234", "EG", ["issued 2001 expires 2006"]);
    "HRA 738077 (Stuttgart) (Germany)" -> ("HRA 738077", "DE", ["Stuttgart"]).
    """
    notes: list[str] = []
    parts = _ID_NOTE.split(rest, maxsplit=1)
    value = parts[0]
    if len(parts) > 1:
        notes.append(parts[1].strip(" ,)"))
    country: str | None = None
    for _ in range(3):  # a few trailing "(...)" groups at most
        match = _TRAILING_PAREN.search(value)
        if match is None or match.start() == 0:
            break
        inner = match[1].strip()
        code = to_iso(inner)
        if code is not None and country is None:
            country = code
        else:
            notes.insert(0, inner)
        value = value[: match.start()]
    head, sep, tail = value.rpartition(", ")
    if sep and country is None and (code := to_iso(tail)) is not None:
        value, country = head, code
    value = value.strip(" ,")
    if value.startswith("(") and value.endswith(")"):
        value = value[1:-1].strip()
    return value, country, notes


def parse_identifier(clause: str) -> Identifier | None:
    """An identifier from one remarks clause ("alt." already removed), or None."""
    if match := _WALLET.match(clause):
        return make_identifier(
            f"Digital Currency Address - {match['coin']}",
            match["addr"],
            note=match["coin"],
            kind=IdKind.WALLET,
        )
    match = _ID_LABEL.match(clause)
    if match is None:
        return None
    label = match["label"]
    kind = _KIND_BY_LABEL[label.casefold()]
    notes: list[str] = []
    country: str | None = None
    if kind in (IdKind.PHONE, IdKind.EMAIL):
        # "Telephone (98)(21)(66153220)": parentheses are part of the number here.
        value = match["rest"].strip(" ,")
    else:
        value, country, notes = _split_value(match["rest"])
    if not value:
        return None
    return make_identifier(label, value, country, "; ".join(notes) or None, kind)


# --- clauses -----------------------------------------------------------------------------

_CLAUSE_SPLIT = re.compile(r";\s*")
_ALT_PREFIX = re.compile(r"^alt\.\s+", re.I)
_ALIAS = re.compile(r"^([afn])\.k\.a\.,?\s+(.+)$", re.I | re.S)
_ALIAS_KINDS = {"a": NameKind.WEAK_ALIAS, "n": NameKind.WEAK_ALIAS, "f": NameKind.FORMER}
_FACT = re.compile(
    r"^(?P<key>DOB|POB|nationality of registration|nationality|citizen|gender)\s+(?P<value>.+)$",
    re.I | re.S,
)
_POSSIBLY = re.compile(r"^(?:possibly\s+|region:\s*)", re.I)
_GENDERS = {"male": "male", "female": "female"}


def split_clauses(text: str) -> list[str]:
    """The semicolon-separated clauses of a remarks text, without the closing full stop."""
    body = text.strip()
    if body.endswith("."):
        body = body[:-1]
    return [clause.strip() for clause in _CLAUSE_SPLIT.split(body) if clause.strip()]


def parse_alias(clause: str, is_person: bool) -> Name | None:
    """A weak alias or former name from "a.k.a. 'X'" / "f.k.a. 'X'" / "n.k.a. 'X'"."""
    match = _ALIAS.match(clause)
    if match is None:
        return None
    value = match[2].strip()
    # One quote each side; names may hold apostrophes of their own ("NU'MAN").
    if value.startswith("'"):
        value = value[1:]
    if value.endswith("'"):
        value = value[:-1]
    value = value.strip()
    if not value:
        return None
    return make_name(value, _ALIAS_KINDS[match[1].casefold()], is_person)


def _add_country(facts: RemarkFacts, target: list[str], text: str) -> None:
    spelling = _POSSIBLY.sub("", text.strip().rstrip(".").strip())
    code = to_iso(spelling)
    if code is None:
        facts.unknown_countries.append(spelling)
    elif code not in target:
        target.append(code)


def _apply_fact(facts: RemarkFacts, key: str, value: str) -> None:
    if key == "dob":
        birth = parse_dob(value)
        if birth is not None and birth not in facts.birth_dates:
            facts.birth_dates.append(birth)
    elif key == "pob":
        place = value.strip().rstrip(".").strip()
        if place and place not in facts.birth_places:
            facts.birth_places.append(place)
    elif key in ("nationality", "citizen"):
        _add_country(facts, facts.nationalities, value)
    elif key == "nationality of registration":
        _add_country(facts, facts.countries, value)
    elif key == "gender":
        facts.gender = facts.gender or _GENDERS.get(value.strip().rstrip(".").casefold())


def parse_remarks(text: str | None, *, is_person: bool = False) -> RemarkFacts:
    """Every fact this module understands in one remarks text; other clauses are ignored
    (they stay readable in Entity.remarks)."""
    facts = RemarkFacts()
    if not text:
        return facts
    for raw in split_clauses(text):
        alias = parse_alias(raw, is_person)
        if alias is not None:
            facts.names.append(alias)
            continue
        clause = _ALT_PREFIX.sub("", raw)
        if fact := _FACT.match(clause):
            _apply_fact(facts, fact["key"].casefold(), fact["value"])
            continue
        identifier = parse_identifier(clause)
        if identifier is not None and identifier not in facts.identifiers:
            facts.identifiers.append(identifier)
    return facts
