"""OFAC "advanced" XML loader, sdn_advanced.xml / cons_advanced.xml (format "ofac_advanced").

The format (the UN "sanctions 1.0" schema OFAC publishes) is normalised: parties point at
reference values by id (alias types, name-part types, countries, feature types...), at
locations and at identity documents listed before them, and the sanctions entries (programs,
listing dates) come after them. The file is read in ONE streamed pass, in document order:

    DateOfIssue -> ReferenceValueSets -> Locations -> IDRegDocuments -> DistinctParties
    -> ProfileRelationships -> SanctionsEntries -> SanctionsEntryLinks

Reference values, locations and documents are kept as small dictionaries; each party is turned
into an entity and its XML freed at once, so memory grows with the entities, not the XML tree.
Feature and document type names are the ``idType`` names of sdn.xml, so both loaders sort them
with :func:`lists.ofac_xml.classify_type`.

Tested only on a hand-written fixture validated against the official XSD: no real
sdn_advanced.xml was available (tests/fixtures/ofac_advanced/).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from lists.errors import ListFormatError
from lists.formats import FormatSpec, one_file
from lists.model import Address, BirthDate, Entity, Name, NameKind, ParsedList, Schema
from lists.ofac_xml import (
    OFAC_SERVICE_NS,
    SDN_LIST_ID,
    SOURCE_URL,
    Notes,
    add_unique,
    apply_typed_value,
    check_root,
    country_code_noted,
    join_remarks,
    list_id_for,
    root_tag,
)
from lists.xmlsafe import iter_elements, local_name, text_of

FORMAT_NAME = "ofac_advanced"
_UN_NAMESPACE = "http://www.un.org/sanctions/1.0"
_ROOT = "Sanctions"
_STREAMED = {
    "DateOfIssue", "ReferenceValueSets", "Location", "IDRegDocument", "DistinctParty",
    "ProfileRelationship", "SanctionsEntry", "SanctionsEntryLink",
}
# Given names first, family names last, as in the sdn.xml loader ("First Last").
_PART_ORDER = {
    "first name": 0, "middle name": 1, "patronymic": 2, "matronymic": 3,
    "last name": 5, "maiden name": 6,
}
_LATIN = {"latn", "latin"}
_MAX_EXAMPLES = 10


# --- element access -------------------------------------------------------------------------
# lxml's C-level "{*}" tag filters: the per-party work is dominated by child lookups.


def _kids(element: etree._Element, name: str) -> list[etree._Element]:
    """Direct children with local name ``name``, in any namespace."""
    return list(element.iterchildren(f"{{*}}{name}"))


def _child_text(element: etree._Element, name: str) -> str | None:
    return text_of(element.find(f"{{*}}{name}"))


# --- reference values -------------------------------------------------------------------------


@dataclass
class _References:
    """Reference value sets: ``values["AliasType"]["1400"] == "A.K.A."`` and friends."""

    values: dict[str, dict[str, str]] = field(default_factory=dict)
    iso2: dict[str, str] = field(default_factory=dict)  # Country ID -> ISO2 when published
    latin_scripts: set[str] = field(default_factory=set)
    party_types: dict[str, str] = field(default_factory=dict)  # PartySubType ID -> PartyType ID

    def name(self, kind: str, ref_id: str | None, path: Path, record: str) -> str:
        found = self.values.get(kind, {}).get(ref_id or "")
        if found is None:
            raise ListFormatError(path, f"unknown {kind}ID {ref_id!r}", record=record)
        return found


def _read_references(element: etree._Element) -> _References:
    refs = _References()
    for value_set in element:
        for value in value_set:
            if not isinstance(value.tag, str) or value.get("ID") is None:
                continue
            kind, ref_id = local_name(value.tag), str(value.get("ID"))
            refs.values.setdefault(kind, {})[ref_id] = (value.text or "").strip()
            if kind == "Country" and value.get("ISO2"):
                refs.iso2[ref_id] = str(value.get("ISO2")).upper()
            elif kind == "Script":
                code = (value.get("ScriptCode") or value.text or "").strip().casefold()
                if code in _LATIN:
                    refs.latin_scripts.add(ref_id)
            elif kind == "PartySubType":
                refs.party_types[ref_id] = str(value.get("PartyTypeID"))
    return refs


def _country(refs: _References, country_id: str | None, notes: Notes) -> str | None:
    """ISO2 of a Country reference: its ISO2 attribute, else its name through to_iso."""
    if country_id is None:
        return None
    return refs.iso2.get(country_id) or country_code_noted(
        refs.values.get("Country", {}).get(country_id), notes
    )


# --- locations and documents ------------------------------------------------------------------


@dataclass(slots=True)
class _Location:
    parts: list[tuple[str, str]]  # (LocPartType name, value) in document order
    country: str | None  # ISO2
    country_name: str | None

    def part(self, *types: str) -> list[str]:
        return [value for kind, value in self.parts if kind in types]

    def text(self) -> str:
        return ", ".join([value for _kind, value in self.parts] +
                         ([self.country_name] if self.country_name else []))


def _read_location(
    element: etree._Element, refs: _References, path: Path, notes: Notes
) -> _Location:
    record = f"Location {element.get('ID')}"
    parts: list[tuple[str, str]] = []
    for part in _kids(element, "LocationPart"):
        kind = refs.name("LocPartType", part.get("LocPartTypeID"), path, record).upper()
        values = _kids(part, "LocationPartValue")
        primary = [v for v in values if v.get("Primary") == "true"] or values[:1]
        for value in primary:
            text = _child_text(value, "Value")
            if text:
                parts.append((kind, text))
    country_id = next((c.get("CountryID") for c in _kids(element, "LocationCountry")), None)
    name = refs.values.get("Country", {}).get(country_id or "")
    return _Location(parts, _country(refs, country_id, notes), name)


@dataclass(slots=True)
class _Document:
    raw_type: str
    number: str
    country: str | None
    note: str | None


def _read_document(
    element: etree._Element, refs: _References, path: Path, notes: Notes
) -> tuple[str, _Document] | None:
    """(IdentityID, document) of one IDRegDocument; None when it has no number."""
    record = f"IDRegDocument {element.get('ID')}"
    number = _child_text(element, "IDRegistrationNo")
    if number is None:
        return None
    raw_type = refs.name("IDRegDocType", element.get("IDRegDocTypeID"), path, record)
    note_parts: list[str] = []
    for date in _kids(element, "DocumentDate"):
        date_type = refs.name("IDRegDocDateType", date.get("IDRegDocDateTypeID"), path, record)
        period = next(iter(_kids(date, "DatePeriod")), None)
        value = _period(period).value if period is not None else None
        if value:
            verb = "expires" if "expir" in date_type.casefold() else "issued"
            note_parts.append(f"{verb} {value}")
    validity = element.get("ValidityID")
    if validity is not None:
        status = refs.name("Validity", validity, path, record)
        if status.casefold() != "valid":
            note_parts.append(status.casefold())
    country = _country(refs, element.get("IssuedBy-CountryID"), notes)
    document = _Document(raw_type, number, country, ", ".join(note_parts) or None)
    return str(element.get("IdentityID")), document


# --- dates ------------------------------------------------------------------------------------


def _point(element: etree._Element | None) -> tuple[int, int, int] | None:
    """(year, month, day) of an element with Year/Month/Day children; None when incomplete."""
    if element is None:
        return None
    texts = [_child_text(element, name) or "" for name in ("Year", "Month", "Day")]
    if not all(text.isdigit() for text in texts):
        return None
    return int(texts[0]), int(texts[1]), int(texts[2])


def _boundary(period: etree._Element, name: str, first: str) -> tuple[int, int, int] | None:
    """The From (Start) or To (End) point of a DatePeriod boundary, falling back to the other."""
    second = "To" if first == "From" else "From"
    for boundary in _kids(period, name):
        point = _point(next(iter(_kids(boundary, first)), None))
        return point or _point(next(iter(_kids(boundary, second)), None))
    return None


def _iso(point: tuple[int, int, int]) -> str:
    return f"{point[0]:04d}-{point[1]:02d}-{point[2]:02d}"


def _cut(low: tuple[int, int, int], high: tuple[int, int, int]) -> tuple[str, str]:
    """Whole years or whole months written as day ranges become years or months."""
    if low[1:] == (1, 1) and high[1:] == (12, 31):
        return f"{low[0]:04d}", f"{high[0]:04d}"
    last_day = calendar.monthrange(high[0], high[1])[1]
    if low[2] == 1 and high[2] == last_day and low[:2] == high[:2]:
        return _iso(low)[:7], _iso(high)[:7]
    return _iso(low), _iso(high)


def _period(period: etree._Element) -> BirthDate:
    """A DatePeriod as a date cut to its precision; ``value`` is "" when it holds no date."""
    low = _boundary(period, "Start", "From")
    high = _boundary(period, "End", "To") or low
    low = low or high
    if low is None or high is None:
        return BirthDate(value="")
    start, end = _cut(low, high)
    approximate = any(b.get("Approximate") == "true"
                      for name in ("Start", "End") for b in _kids(period, name))
    return BirthDate(value=start, until=None if end == start else end, approximate=approximate)


# --- parties ----------------------------------------------------------------------------------


@dataclass
class _Reader:
    """Everything one streamed pass has learnt so far."""

    path: Path
    list_id: str
    notes: Notes = field(default_factory=Notes)
    refs: _References | None = None
    published: str | None = None
    locations: dict[str, _Location] = field(default_factory=dict)
    documents: dict[str, list[_Document]] = field(default_factory=dict)
    entities: dict[str, Entity] = field(default_factory=dict)
    with_entry: set[str] = field(default_factory=set)  # profiles a SanctionsEntry points at

    def references(self, record: str) -> _References:
        if self.refs is None:
            raise ListFormatError(self.path, "ReferenceValueSets missing or not first", record)
        return self.refs


def _schema(refs: _References, subtype_id: str | None, reader: _Reader, record: str) -> Schema:
    subtype = refs.name("PartySubType", subtype_id, reader.path, record).casefold()
    if subtype in {"vessel", "aircraft"}:
        return Schema.VESSEL if subtype == "vessel" else Schema.AIRCRAFT
    party_type = refs.name("PartyType", refs.party_types.get(subtype_id or ""), reader.path,
                           record).casefold()
    if party_type == "individual":
        return Schema.PERSON
    if party_type != "entity":
        reader.notes.add(f"{record}: party type {party_type!r} read as an organisation")
    return Schema.ORGANIZATION


def _name_kind(alias_type: str, low_quality: bool, latin: bool, primary: bool) -> NameKind:
    """Weak wins (as in sdn.xml); then original script; then the alias type."""
    if low_quality:
        return NameKind.WEAK_ALIAS
    if not latin:
        return NameKind.ORIGINAL_SCRIPT
    if primary:
        return NameKind.PRIMARY
    return NameKind.FORMER if alias_type.casefold() == "f.k.a." else NameKind.ALIAS


def _documented_name(
    element: etree._Element,
    groups: dict[str, str],
    refs: _References,
    alias_flags: tuple[str, bool, bool],
    person: bool,
    record: str,
    path: Path,
) -> Name | None:
    """One DocumentedName; ``alias_flags`` is (alias type, low quality, primary)."""
    parts: list[tuple[str, str]] = []
    latin = True
    for part in _kids(element, "DocumentedNamePart"):
        for value in _kids(part, "NamePartValue"):
            text = text_of(value)
            group = value.get("NamePartGroupID") or ""
            if group not in groups:
                raise ListFormatError(path, f"unknown NamePartGroupID {group!r}", record)
            if value.get("ScriptID") not in refs.latin_scripts:
                latin = False
            if text:
                parts.append((groups[group].casefold(), text))
    if not parts:
        return None
    alias_type, low_quality, primary = alias_flags
    kind = _name_kind(alias_type, low_quality, latin, primary)
    if not person:
        return Name(full=" ".join(text for _type, text in parts), kind=kind)
    ordered = sorted(parts, key=lambda p: _PART_ORDER.get(p[0], 4)) if latin else parts

    def joined(*types: str) -> str | None:
        return " ".join(text for kind_, text in parts if kind_ in types) or None

    return Name(
        full=" ".join(text for _type, text in ordered), kind=kind,
        first=joined("first name"), middle=joined("middle name", "patronymic", "matronymic"),
        last=joined("last name", "maiden name"),
    )


def _add_identity(
    entity: Entity, identity: etree._Element, refs: _References, reader: _Reader, record: str,
    info: list[str],
) -> None:
    groups = {
        str(group.get("ID")): refs.name("NamePartType", group.get("NamePartTypeID"),
                                        reader.path, record)
        for container in _kids(identity, "NamePartGroups")
        for master in _kids(container, "MasterNamePartGroup")
        for group in _kids(master, "NamePartGroup")
    }
    person = entity.schema == Schema.PERSON
    primary_identity = identity.get("Primary") == "true"
    for alias in _kids(identity, "Alias"):
        alias_type = refs.name("AliasType", alias.get("AliasTypeID"), reader.path, record)
        flags = (alias_type, alias.get("LowQuality") == "true",
                 primary_identity and alias.get("Primary") == "true")
        for documented in _kids(alias, "DocumentedName"):
            name = _documented_name(documented, groups, refs, flags, person, record, reader.path)
            if name is not None:
                entity.names.append(name)
    for document in reader.documents.pop(str(identity.get("ID")), []):
        apply_typed_value(entity, info, reader.notes, document.raw_type, document.number,
                          document.country, document.note)


def _location(reader: _Reader, version: etree._Element, record: str) -> list[_Location]:
    found = []
    for ref in _kids(version, "VersionLocation"):
        location = reader.locations.get(str(ref.get("LocationID")))
        if location is None:
            raise ListFormatError(reader.path, f"unknown LocationID {ref.get('LocationID')!r}",
                                  record)
        found.append(location)
    return found


def _detail_values(
    version: etree._Element, refs: _References, path: Path, record: str
) -> list[str]:
    values = []
    for detail in _kids(version, "VersionDetail"):
        ref_id = detail.get("DetailReferenceID")
        text = refs.name("DetailReference", ref_id, path, record) if ref_id else text_of(detail)
        if text:
            values.append(text)
    return values


def _add_feature(
    entity: Entity, feature: etree._Element, refs: _References, reader: _Reader, record: str,
    info: list[str],
) -> None:
    feature_type = refs.name("FeatureType", feature.get("FeatureTypeID"), reader.path, record)
    key = feature_type.casefold()
    for version in _kids(feature, "FeatureVersion"):
        periods = [_period(p) for p in _kids(version, "DatePeriod")]
        locations = _location(reader, version, record)
        if key == "birthdate":
            entity.birth_dates.extend(p for p in periods if p.value)
        elif key == "place of birth":
            for location in locations:
                add_unique(entity.birth_places, location.text())
            for text in _detail_values(version, refs, reader.path, record):
                add_unique(entity.birth_places, text)
        elif key == "location":
            for location in locations:
                _add_address(entity, location)
        else:
            for location in locations:
                apply_typed_value(entity, info, reader.notes, feature_type, location.text(),
                                  location.country)
            values = _detail_values(version, refs, reader.path, record)
            values += [p.value for p in periods if p.value]
            for value in values:
                apply_typed_value(entity, info, reader.notes, feature_type, value)


def _add_address(entity: Entity, location: _Location) -> None:
    city = ", ".join(location.part("CITY")) or None
    lines = [value for kind, value in location.parts if kind != "CITY"]
    text = ", ".join(lines) or None
    if text or city or location.country:
        entity.addresses.append(Address(text=text, city=city, country=location.country))
        add_unique(entity.countries, location.country)


def _read_party(element: etree._Element, reader: _Reader) -> None:
    record = f"DistinctParty {element.get('FixedRef')}"
    refs = reader.references(record)
    comments = [text for c in _kids(element, "Comment") if (text := text_of(c))]
    for profile in _kids(element, "Profile"):
        profile_id = str(profile.get("ID") or "")
        if not profile_id.isdigit():
            raise ListFormatError(reader.path, "Profile without a numeric ID", record)
        if profile_id in reader.entities:
            raise ListFormatError(reader.path, f"duplicate Profile ID {profile_id}", record)
        entity = Entity(
            entity_id=profile_id,
            list_id=reader.list_id,
            schema=_schema(refs, profile.get("PartySubTypeID"), reader, record),
            source_url=SOURCE_URL.format(uid=profile_id),
        )
        info = [text for c in _kids(profile, "Comment") if (text := text_of(c))]
        for identity in _kids(profile, "Identity"):
            _add_identity(entity, identity, refs, reader, record, info)
        for feature in _kids(profile, "Feature"):
            _add_feature(entity, feature, refs, reader, record, info)
        if not any(name.kind == NameKind.PRIMARY for name in entity.names):
            raise ListFormatError(reader.path, "party has no primary name", record)
        entity.remarks = join_remarks("; ".join(comments) or None, info)
        reader.entities[profile_id] = entity


def _read_entry(element: etree._Element, reader: _Reader) -> None:
    """Programs and the listing date of one SanctionsEntry onto its (already read) entity."""
    record = f"SanctionsEntry {element.get('ID')}"
    refs = reader.references(record)
    entity = reader.entities.get(str(element.get("ProfileID")))
    if entity is None:
        reader.notes.add(f"{record}: ProfileID {element.get('ProfileID')!r} has no party")
        return
    reader.with_entry.add(entity.entity_id)
    for measure in _kids(element, "SanctionsMeasure"):
        measure_type = refs.name("SanctionsType", measure.get("SanctionsTypeID"), reader.path,
                                 record)
        if measure_type.casefold() == "program":
            add_unique(entity.programs, _child_text(measure, "Comment"))
    dates = [_iso(point) for event in _kids(element, "EntryEvent")
             for date in _kids(event, "Date") if (point := _point(date))]
    if dates:
        earliest = min(dates)
        entity.listed_on = min(entity.listed_on or earliest, earliest)


def _read_element(element: etree._Element, reader: _Reader) -> None:
    name = local_name(element.tag)
    if name == "ReferenceValueSets":
        reader.refs = _read_references(element)
    elif name == "DateOfIssue":
        point = _point(element)
        reader.published = _iso(point) if point else None
    elif name == "Location":
        refs = reader.references(f"Location {element.get('ID')}")
        reader.locations[str(element.get("ID"))] = _read_location(
            element, refs, reader.path, reader.notes
        )
    elif name == "IDRegDocument":
        refs = reader.references(f"IDRegDocument {element.get('ID')}")
        found = _read_document(element, refs, reader.path, reader.notes)
        if found is not None:
            reader.documents.setdefault(found[0], []).append(found[1])
    elif name == "DistinctParty":
        _read_party(element, reader)
    elif name == "SanctionsEntry":
        _read_entry(element, reader)
    # ProfileRelationship and SanctionsEntryLink are streamed only to be freed.


def _note_unlisted(reader: _Reader) -> None:
    """One warning for parties no SanctionsEntry points at (they have no program)."""
    unlisted = [pid for pid in reader.entities if pid not in reader.with_entry]
    if unlisted:
        shown = ", ".join(unlisted[:_MAX_EXAMPLES])
        more = ", ..." if len(unlisted) > _MAX_EXAMPLES else ""
        reader.notes.add(f"{len(unlisted)} profiles have no SanctionsEntry: {shown}{more}")


def load_file(path: Path, list_id: str | None = None) -> ParsedList:
    """Read one advanced-format file in a single streamed pass."""
    check_root(path, _ROOT)
    reader = _Reader(path, list_id_for(path, list_id))
    for element in iter_elements(path, _STREAMED):
        _read_element(element, reader)
    if reader.refs is None:
        raise ListFormatError(path, "no ReferenceValueSets: not an OFAC advanced file")
    _note_unlisted(reader)
    return ParsedList(reader.list_id, FORMAT_NAME, list(reader.entities.values()),
                      reader.published, reader.notes.messages)


def load(paths: Sequence[Path], list_id: str | None) -> ParsedList:
    return load_file(one_file(paths, f"{FORMAT_NAME} reads one file, got {len(paths)}"), list_id)


def sniff(path: Path, head: bytes) -> bool:
    """A ``Sanctions`` root in the UN sanctions 1.0 namespace or OFAC's ADVANCED_XML one."""
    found = root_tag(head)
    if found is None or found[1] != _ROOT:
        return False
    namespace = found[0]
    if namespace == _UN_NAMESPACE:
        return True
    return namespace.startswith(OFAC_SERVICE_NS) and namespace.rstrip("/").endswith(
        "/ADVANCED_XML"
    )


SPEC = FormatSpec(
    name=FORMAT_NAME,
    title="OFAC SDN / consolidated list, advanced XML (sdn_advanced.xml)",
    default_list_id=SDN_LIST_ID,
    sniff=sniff,
    load=load,
)
