"""The FCDO "UK Sanctions List" CSV (the list of designations under the Sanctions Act).

No real file of this format is available offline (see the shared MANIFEST). The layout below
is ASSUMED from the published header as quoted by several public parsers and test suites of
2024-2026 (58 columns); our fixture ``tests/fixtures/uk/uk_sanctions_list_sample.csv`` follows
it. Assumptions, to re-check against a real file when one is available:

* UTF-8 with a byte-order mark; line 1 is ``Report Date: 08-Oct-2026`` (one cell);
  line 2 is the header starting ``Last Updated,Unique ID,OFSI Group ID,UN Reference Number,
  Name 6,Name 1..Name 5,Name type,Alias strength,Title,Name non-latin script,...``.
* One row per name (and per further address) of a designation; rows are grouped by
  ``Unique ID`` (e.g. ``AFG0001``), which becomes the entity id.
* ``Name type`` is ``Primary Name``, ``Alias`` or ``Primary name variation``;
  ``Alias strength`` ``Good quality`` / ``Low quality`` (a low-quality alias becomes
  WEAK_ALIAS). A value in ``Name non-latin script`` is an extra ORIGINAL_SCRIPT name.
* ``Designation Type`` is ``Individual``, ``Entity`` or ``Ship``; ``Sanctions Imposed`` holds
  several measures separated by ``|``; dates are dd/mm/yyyy with 00 for unknown parts.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from lists.dates import iso_date
from lists.errors import ListFormatError
from lists.formats import FormatSpec, one_file
from lists.identifiers import make_identifier
from lists.model import Identifier, IdKind, NameKind, ParsedList
from lists.uk_conlist import (
    ALIAS_TYPES,
    GROUP_TYPES,
    UkEntityBuilder,
    clean,
    country_codes,
    person_name,
    read_uk_csv,
    split_numbered,
    unresolved_warning,
)

FORMAT_NAME = "uk_sanctions_list"
DEFAULT_LIST_ID = "gb_fcdo"
ENCODING = "utf-8"
COLUMNS = (
    "Last Updated", "Unique ID", "OFSI Group ID", "UN Reference Number", "Name 6", "Name 1",
    "Name 2", "Name 3", "Name 4", "Name 5", "Name type", "Alias strength", "Title",
    "Name non-latin script", "Non-latin script type", "Non-latin script language",
    "Regime Name", "Designation Type", "Designation source", "Sanctions Imposed",
    "Other Information", "UK Statement of Reasons", "Address Line 1", "Address Line 2",
    "Address Line 3", "Address Line 4", "Address Line 5", "Address Line 6",
    "Address Postal Code", "Address Country", "Phone number", "Website", "Email address",
    "Date Designated", "D.O.B", "Nationality(/ies)", "National Identifier number",
    "National Identifier additional information", "Passport number",
    "Passport additional information", "Position", "Gender", "Town of birth",
    "Country of birth", "Type of entity", "Subsidiaries", "Parent company",
    "Business registration number (s)", "IMO number", "Current owner/operator (s)",
    "Previous owner/operator (s)", "Current believed flag of ship", "Previous flags",
    "Type of ship", "Tonnage of ship", "Length of ship", "Year Built",
    "Hull identification number (HIN)",
)
# The columns without which the file cannot be read at all; the rest are used when present.
REQUIRED_COLUMNS = (
    "Unique ID", "Name 6", "Name 1", "Name type", "Regime Name", "Designation Type",
)
_WEAK_STRENGTHS = {"low quality", "low", "weak"}
# (column, identifier kind, raw type, column with extra information or None)
_IDENTIFIER_COLUMNS = (
    ("Passport number", IdKind.PASSPORT, "Passport", "Passport additional information"),
    ("National Identifier number", IdKind.NATIONAL_ID, "National Identifier",
     "National Identifier additional information"),
    ("Business registration number (s)", IdKind.REGISTRATION, "Business registration number",
     None),
    ("IMO number", IdKind.IMO, "IMO number", None),
    ("Hull identification number (HIN)", IdKind.OTHER, "Hull identification number", None),
    ("Phone number", IdKind.PHONE, "Phone number", None),
    ("Email address", IdKind.EMAIL, "Email address", None),
)
_REMARK_COLUMNS = (
    "Title", "Position", "Designation source", "Sanctions Imposed", "Type of entity",
    "Parent company", "Subsidiaries", "Current owner/operator (s)", "Type of ship",
    "Tonnage of ship", "Year Built", "Website",
)


def sniff(path: Path, head: bytes) -> bool:
    body = head.lstrip(b"\xef\xbb\xbf")
    return body.startswith(b"Report Date") and b"Unique ID" in head and b"Name type" in head


def _get(row: dict[str, str], column: str) -> str:
    return row.get(column, "")


def _names(builder: UkEntityBuilder, row: dict[str, str]) -> None:
    kind = ALIAS_TYPES.get(clean(_get(row, "Name type")).casefold(), NameKind.ALIAS)
    if kind == NameKind.ALIAS and clean(_get(row, "Alias strength")).casefold() in _WEAK_STRENGTHS:
        kind = NameKind.WEAK_ALIAS
    given = [_get(row, f"Name {index}") for index in range(1, 6)]
    builder.add_name(person_name(given, _get(row, "Name 6"), kind))
    script = clean(_get(row, "Name non-latin script"))
    if script:
        language = clean(_get(row, "Non-latin script language")) or None
        name = person_name([], script, NameKind.ORIGINAL_SCRIPT)
        if name is not None:
            name.lang, name.last = language, None
        builder.add_name(name)


def _identifiers(row: dict[str, str]) -> list[Identifier]:
    found: list[Identifier] = []
    for column, kind, raw_type, info_column in _IDENTIFIER_COLUMNS:
        note = clean(_get(row, info_column)) if info_column else ""
        for value in split_numbered(_get(row, column)):
            found.append(make_identifier(raw_type, value, note=note or None, kind=kind))
    return found


def _add_row(builder: UkEntityBuilder, row: dict[str, str], unresolved: list[str]) -> bool:
    _names(builder, row)
    place = ", ".join(
        part for part in (clean(_get(row, "Town of birth")), clean(_get(row, "Country of birth")))
        if part
    )
    builder.add_unique(builder.birth_places, place)
    for code in country_codes(_get(row, "Nationality(/ies)"), unresolved):
        if code not in builder.nationalities:
            builder.nationalities.append(code)
    country = country_codes(_get(row, "Address Country"), unresolved)
    lines = [_get(row, f"Address Line {index}") for index in range(1, 7)]
    builder.add_address([*lines, _get(row, "Address Postal Code")], country[0] if country else None)
    for code in country_codes(_get(row, "Current believed flag of ship"), unresolved):
        if code not in builder.countries:
            builder.countries.append(code)
    builder.add_identifiers(_identifiers(row))
    builder.add_unique(builder.programs, _get(row, "Regime Name"))
    gender = clean(_get(row, "Gender")).casefold()
    if gender in ("male", "female"):
        builder.gender = gender
    designated = iso_date(clean(_get(row, "Date Designated")))
    if designated is not None:
        builder.listed_on.append(designated)
    for column in _REMARK_COLUMNS:
        parts = dict.fromkeys(clean(part) for part in _get(row, column).split("|"))
        value = "; ".join(part for part in parts if part)
        if value:
            builder.add_unique(builder.remarks, f"{column}: {value}")
    builder.add_unique(builder.remarks, _get(row, "Other Information"))
    builder.add_unique(builder.remarks, _get(row, "UK Statement of Reasons"))
    builder.reference = builder.reference or clean(_get(row, "UN Reference Number")) or None
    return builder.add_birth_date(_get(row, "D.O.B"))


def _report_date(first: list[str]) -> str | None:
    """ISO date of the ``Report Date: 08-Oct-2026`` line."""
    text = clean(first[0]) if first else ""
    if not text.casefold().startswith("report date"):
        return None
    return iso_date(text.split(":", 1)[-1].replace("-", " ").strip())


def load(paths: Sequence[Path], list_id: str | None = None) -> ParsedList:
    """Load one UK Sanctions List CSV; one entity per Unique ID."""
    path = one_file(paths, "the UK Sanctions List is one CSV file")
    first, rows = read_uk_csv(path, ENCODING, REQUIRED_COLUMNS)
    target_list = list_id or DEFAULT_LIST_ID
    builders: dict[str, UkEntityBuilder] = {}
    unresolved: list[str] = []
    warnings: list[str] = []
    for line, row in rows:
        unique_id = clean(row["Unique ID"])
        schema = GROUP_TYPES.get(clean(row["Designation Type"]).casefold())
        if not unique_id or schema is None:
            raise ListFormatError(
                path,
                f"row without Unique ID or with unknown Designation Type "
                f"{row['Designation Type']!r}",
                record=f"line {line}",
            )
        builder = builders.setdefault(unique_id, UkEntityBuilder(unique_id, target_list, schema))
        if builder.schema != schema:
            warnings.append(f"line {line}: {unique_id} changes Designation Type; first one kept")
        if not _add_row(builder, row, unresolved):
            warnings.append(f"line {line}: unreadable D.O.B {clean(row.get('D.O.B'))!r}")
    entities = [builder.build() for builder in builders.values()]
    return ParsedList(
        list_id=target_list, format=FORMAT_NAME, entities=entities, published=_report_date(first),
        warnings=warnings + unresolved_warning("country/nationality", unresolved),
        title="UK Sanctions List (FCDO)",
    )


SPEC = FormatSpec(
    name=FORMAT_NAME,
    title="UK Sanctions List (FCDO CSV)",
    default_list_id=DEFAULT_LIST_ID,
    sniff=sniff,
    load=load,
)
