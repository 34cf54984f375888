"""OFAC ``sdn.xml`` / ``consolidated.xml`` loader (format "ofac_xml").

Both files share one schema (``sdnList`` root, one ``sdnEntry`` per listed party). The 2018
files use the ``http://tempuri.org/sdnList.xsd`` namespace and the 2024 ones the
``sanctionslistservice.ofac.treas.gov`` one, so elements are matched by local name. The file is
streamed: the real ``sdn.xml`` is over 100 MB.

OFAC's ``idList`` mixes real identifiers with other facts (gender, country of registration,
sanctions notes, websites); :func:`classify_type` sorts each ``idType`` deliberately, and the
advanced-format loader reuses it because its feature and document types have the same names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from pathlib import Path

from lxml import etree

from lists.countries import to_iso
from lists.dates import iso_date, parse_birth_date
from lists.errors import ListFormatError
from lists.formats import FormatSpec, one_file
from lists.identifiers import clean_value, kind_of, make_identifier
from lists.model import Address, Entity, Identifier, IdKind, Name, NameKind, ParsedList, Schema
from lists.xmlsafe import iter_elements, local_name, text_of

FORMAT_NAME = "ofac_xml"
SDN_LIST_ID = "us_ofac_sdn"
CONS_LIST_ID = "us_ofac_cons"
SOURCE_URL = "https://sanctionssearch.ofac.treas.gov/Details.aspx?id={uid}"
OFAC_SERVICE_NS = "https://sanctionslistservice.ofac.treas.gov/"
_SDN_NAMESPACES = frozenset(
    {"http://tempuri.org/sdnList.xsd", "http://tempuri.org/consolidated.xsd"}
)
_HEAD_BYTES = 65536

_SCHEMAS = {
    "individual": Schema.PERSON,
    "entity": Schema.ORGANIZATION,
    "vessel": Schema.VESSEL,
    "aircraft": Schema.AIRCRAFT,
}
# Country values OFAC writes when it has none; not worth a warning.
_NO_COUNTRY = frozenset({"none identified", "unknown", "undetermined"})


# --- shared with the advanced-format loader -------------------------------------------------


def root_tag(head: bytes) -> tuple[str, str] | None:
    """(namespace, local name) of the root element read from the first bytes, or None.

    Documents declaring entities are never sniffed as ours, so nothing gets expanded here.
    """
    if b"<!ENTITY" in head:
        return None
    parser = etree.XMLPullParser(
        events=("start",), resolve_entities=False, load_dtd=False, no_network=True
    )
    try:
        parser.feed(head)
        for _event, element in parser.read_events():
            if isinstance(element, etree._Element):
                qname = etree.QName(str(element.tag))
                return (qname.namespace or "", qname.localname)
    except etree.XMLSyntaxError:
        return None
    return None


def read_head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(_HEAD_BYTES)


def check_root(path: Path, expected: str) -> None:
    """Refuse empty files and files whose root element is not ``expected``, naming the file."""
    head = read_head(path)
    if not head.strip():
        raise ListFormatError(path, "file is empty", record="line 1")
    found = root_tag(head)
    if found is not None and found[1] != expected:
        raise ListFormatError(
            path, f"root element is <{found[1]}>, expected <{expected}>", record="line 1"
        )


def list_id_for(path: Path, list_id: str | None) -> str:
    """The given list id, else the non-SDN consolidated list when the file name says "cons"."""
    if list_id:
        return list_id
    return CONS_LIST_ID if "cons" in path.name.casefold() else SDN_LIST_ID


def country_code(value: str | None) -> str | None:
    """ISO code of an OFAC country value, including "Region: Gaza" forms."""
    code = to_iso(value)
    if code is None and value and value.casefold().startswith("region:"):
        code = to_iso(value.split(":", 1)[1])
    return code


class TypeRole(Enum):
    """What an OFAC ``idType`` (or advanced feature/document type) holds."""

    IDENTIFIER = "identifier"
    GENDER = "gender"
    NATIONALITY = "nationality"
    COUNTRY = "country"  # country of registration or flag: Entity.countries, as ofac_csv does
    INFO = "info"  # a fact for the analyst, kept in the remarks
    SKIP = "skip"


# Types whose value is a note for analysts, not something to match on (lower-case prefixes).
_INFO_PREFIXES = (
    "additional sanctions information",
    "for more information",
    "executive order",
    "secondary sanctions risk",
    "target type",
    "issuer name",
    "equity ticker",
    "listing date",
    "effective date",
    "purchase/sales for divestment date",
    "organization established date",
    "organization type",
    "caatsa section",
    "ifca determination",
    "transactions prohibited",
    "linked to",
    "former vessel flag",
    "other vessel flag",
    "other vessel type",
    "vessel year of build",
    "vessel type",
    "vessel owner",
    "vessel tonnage",
    "vessel gross registered tonnage",
    "aircraft model",
    "aircraft manufacture date",
    "aircraft operator",
    "title",
)
_SKIP_TYPES = frozenset({"website"})
_GENDER_TYPES = frozenset({"gender"})
_NATIONALITY_TYPES = frozenset({"nationality country", "citizenship country"})
_COUNTRY_TYPES = frozenset({"nationality of registration", "vessel flag"})
# Identifier types whose kind the generic keyword table gets wrong or misses.
_KIND_OVERRIDES: dict[str, IdKind] = {
    "v.a.t. number": IdKind.TAX_ID,
    "commercial registry number": IdKind.REGISTRATION,
    "c.r. no.": IdKind.REGISTRATION,
    "government gazette number": IdKind.REGISTRATION,
    "unified social credit code (uscc)": IdKind.REGISTRATION,
    "trade license no.": IdKind.REGISTRATION,
    "d-u-n-s number": IdKind.REGISTRATION,
}
# Identifier types seen in real OFAC files whose generic kind is right (no warning for them).
_KNOWN_IDENTIFIER_TYPES = frozenset(
    {
        "passport", "diplomatic passport", "national id no.", "cedula no.", "personal id card",
        "identification number", "driver's license no.", "ssn", "c.u.r.p.", "rfc", "nit #",
        "tax id no.", "registration id", "registration number", "public registration number",
        "business registration number", "business registration document #", "business number",
        "company number", "uk company number", "legal entity number", "swift/bic", "bik (ru)",
        "isin", "email address", "phone number", "mmsi", "vessel registration identification",
        "vessel call sign", "other vessel call sign", "license", "aircraft tail number",
        "previous aircraft tail number",
        "aircraft serial identification", "aircraft manufacturer's serial number (msn)",
        "aircraft construction number (also called l/n or s/n or f/n)",
        "birth certificate number", "residency number", "kenyan id no.",
    }
)


@cache
def classify_type(raw_type: str) -> tuple[TypeRole, IdKind | None, bool]:
    """Role and identifier kind of an OFAC type, and whether the type is a known one.

    Cached: a list has a few dozen distinct types but tens of thousands of values.
    """
    key = " ".join(raw_type.casefold().split())
    if key in _SKIP_TYPES:
        return TypeRole.SKIP, None, True
    if key in _GENDER_TYPES:
        return TypeRole.GENDER, None, True
    if key in _NATIONALITY_TYPES:
        return TypeRole.NATIONALITY, None, True
    if key in _COUNTRY_TYPES:
        return TypeRole.COUNTRY, None, True
    if key.startswith(_INFO_PREFIXES):
        return TypeRole.INFO, None, True
    if key in _KIND_OVERRIDES:
        return TypeRole.IDENTIFIER, _KIND_OVERRIDES[key], True
    known = key in _KNOWN_IDENTIFIER_TYPES or key.startswith("digital currency address")
    return TypeRole.IDENTIFIER, kind_of(raw_type), known


def identifier_for(
    raw_type: str, value: str, kind: IdKind, country: str | None, note: str | None
) -> Identifier:
    """An identifier with OFAC specifics: IMO numbers lose their prefix, wallets name the coin."""
    ident = make_identifier(raw_type, value, country=country, note=note, kind=kind)
    if ident.kind == IdKind.IMO:
        ident.value = clean_value(IdKind.IMO, ident.value)
    if ident.kind == IdKind.WALLET and " - " in raw_type and note is None:
        ident.note = raw_type.rsplit(" - ", 1)[1].strip()
    if raw_type.casefold().startswith("previous") and note is None:
        ident.note = "previous"
    return ident


def info_line(raw_type: str, value: str) -> str:
    """ "Type: value", without doubling the colon or dash OFAC already puts in some types."""
    label = raw_type.strip()
    return f"{label} {value}" if label.endswith((":", "-")) else f"{label}: {value}"


def gender_of(value: str) -> str | None:
    text = value.strip().casefold()
    return text if text in {"male", "female"} else None


def add_unique(values: list[str], value: str | None) -> None:
    if value and value not in values:
        values.append(value)


@dataclass
class Notes:
    """Warnings of one load, each distinct message kept once."""

    messages: list[str] = field(default_factory=list)

    def add(self, message: str) -> None:
        if message not in self.messages:
            self.messages.append(message)


def apply_typed_value(
    entity: Entity,
    info: list[str],
    notes: Notes,
    raw_type: str,
    value: str,
    country: str | None = None,
    note: str | None = None,
) -> None:
    """Put one typed OFAC value where it belongs on the entity (identifier, gender, ...)."""
    role, kind, known = classify_type(raw_type)
    if not known:
        notes.add(f"unrecognised type {raw_type!r} kept as an identifier")
    if role is TypeRole.IDENTIFIER and kind is not None:
        entity.identifiers.append(identifier_for(raw_type, value, kind, country, note))
    elif role is TypeRole.GENDER:
        entity.gender = gender_of(value) or entity.gender
    elif role is TypeRole.NATIONALITY:
        add_unique(entity.nationalities, country or country_code_noted(value, notes))
    elif role is TypeRole.COUNTRY:
        add_unique(entity.countries, country or country_code_noted(value, notes))
    elif role is TypeRole.INFO:
        info.append(info_line(raw_type, value))


def country_code_noted(value: str | None, notes: Notes) -> str | None:
    """Like :func:`country_code`, recording a warning for spellings we do not know."""
    code = country_code(value)
    if code is None and value and value.strip().casefold() not in _NO_COUNTRY:
        notes.add(f"unknown country {value.strip()!r}")
    return code


def join_remarks(remarks: str | None, info: list[str]) -> str | None:
    parts = [remarks] if remarks else []
    parts.extend(info)
    return "; ".join(parts) or None


# --- sdn.xml ----------------------------------------------------------------------------------


class _Node:
    """An element's children indexed by local name once (looked up many times per entry)."""

    __slots__ = ("element", "index")

    def __init__(self, element: etree._Element) -> None:
        self.element = element
        self.index: dict[str, list[etree._Element]] = {}
        for child in element:
            tag = child.tag
            if isinstance(tag, str):
                self.index.setdefault(tag.rpartition("}")[2], []).append(child)

    def text(self, name: str) -> str | None:
        found = self.index.get(name)
        return text_of(found[0]) if found else None

    def items(self, list_name: str, item_name: str) -> list[_Node]:
        """The ``item_name`` children of the ``list_name`` child (e.g. akaList/aka)."""
        return [
            _Node(item)
            for container in self.index.get(list_name, ())
            for item in container
            if isinstance(item.tag, str) and item.tag.rpartition("}")[2] == item_name
        ]


def _join(*parts: str | None) -> str:
    return " ".join(part for part in parts if part)


def _name(node: _Node, kind: NameKind, person: bool) -> Name | None:
    first, last = node.text("firstName"), node.text("lastName")
    if person and first is None and last is not None and last.count(", ") == 1:
        # Weak a.k.a.s keep OFAC's legacy "LAST, First" in lastName alone.
        last, first = (part.strip() for part in last.split(", "))
    full = _join(first, last)
    if not full:
        return None
    if person:
        return Name(full=full, kind=kind, first=first, last=last)
    return Name(full=full, kind=kind)


def _alias_kind(alias_type: str | None, category: str | None) -> NameKind:
    """Weak wins over f.k.a.: a low-quality name must never raise a hit on its own."""
    if (category or "").casefold() == "weak":
        return NameKind.WEAK_ALIAS
    if (alias_type or "").casefold() == "f.k.a.":
        return NameKind.FORMER
    return NameKind.ALIAS


def _add_names(entity: Entity, node: _Node, path: Path, record: str) -> None:
    person = entity.schema == Schema.PERSON
    primary = _name(node, NameKind.PRIMARY, person)
    if primary is None:
        raise ListFormatError(path, "sdnEntry has no name", record=record)
    entity.names.append(primary)
    for aka in node.items("akaList", "aka"):
        name = _name(aka, _alias_kind(aka.text("type"), aka.text("category")), person)
        if name is not None:
            entity.names.append(name)


def _id_note(item: _Node) -> str | None:
    issued = iso_date(item.text("issueDate"))
    expires = iso_date(item.text("expirationDate"))
    parts = [f"issued {issued}" if issued else None, f"expires {expires}" if expires else None]
    return ", ".join(part for part in parts if part) or None


def _add_ids(entity: Entity, node: _Node, info: list[str], notes: Notes) -> None:
    for item in node.items("idList", "id"):
        raw_type, number = item.text("idType"), item.text("idNumber")
        if not raw_type or not number:
            continue
        country = country_code_noted(item.text("idCountry"), notes)
        apply_typed_value(entity, info, notes, raw_type, number, country, _id_note(item))


def _add_birth(entity: Entity, node: _Node, notes: Notes, record: str) -> None:
    for item in node.items("dateOfBirthList", "dateOfBirthItem"):
        text = item.text("dateOfBirth")
        birth = parse_birth_date(text, dayfirst=True)
        if birth is not None:
            entity.birth_dates.append(birth)
        elif text:
            notes.add(f"{record}: unreadable date of birth {text!r}")
    for item in node.items("placeOfBirthList", "placeOfBirthItem"):
        add_unique(entity.birth_places, item.text("placeOfBirth"))
    for list_name, item_name in (("nationalityList", "nationality"),
                                 ("citizenshipList", "citizenship")):
        for item in node.items(list_name, item_name):
            add_unique(entity.nationalities, country_code_noted(item.text("country"), notes))


_ADDRESS_LINES = ("address1", "address2", "address3", "stateOrProvince", "postalCode")


def _add_addresses(entity: Entity, node: _Node, notes: Notes) -> None:
    for item in node.items("addressList", "address"):
        text = ", ".join(line for tag in _ADDRESS_LINES if (line := item.text(tag))) or None
        city = item.text("city")
        country = country_code_noted(item.text("country"), notes)
        if text or city or country:
            entity.addresses.append(Address(text=text, city=city, country=country))
            add_unique(entity.countries, country)


_VESSEL_INFO = (
    ("vesselType", "Vessel type"),
    ("vesselOwner", "Vessel owner"),
    ("tonnage", "Tonnage"),
    ("grossRegisteredTonnage", "GRT"),
)


def _add_vessel(entity: Entity, node: _Node, info: list[str], notes: Notes) -> None:
    for element in node.index.get("vesselInfo", ()):
        vessel = _Node(element)
        call_sign = vessel.text("callSign")
        if call_sign:
            entity.identifiers.append(
                make_identifier("Call Sign", call_sign, kind=IdKind.CALL_SIGN)
            )
        # The flag goes with registration countries, as the legacy CSV loader does.
        add_unique(entity.countries, country_code_noted(vessel.text("vesselFlag"), notes))
        info.extend(f"{label}: {value}" for tag, label in _VESSEL_INFO
                    if (value := vessel.text(tag)))


def _schema(node: _Node, notes: Notes, record: str) -> Schema:
    sdn_type = node.text("sdnType") or ""
    schema = _SCHEMAS.get(sdn_type.casefold())
    if schema is None:
        notes.add(f"{record}: unknown sdnType {sdn_type!r}, read as an organisation")
        return Schema.ORGANIZATION
    return schema


def parse_entry(element: etree._Element, path: Path, list_id: str, notes: Notes) -> Entity:
    """One ``sdnEntry`` as an entity; raises ListFormatError naming the uid or line."""
    node = _Node(element)
    uid = node.text("uid")
    if uid is None or not uid.isdigit():
        raise ListFormatError(
            path, "sdnEntry without a numeric uid", record=f"line {element.sourceline}"
        )
    record = f"uid {uid}"
    entity = Entity(
        entity_id=uid,
        list_id=list_id,
        schema=_schema(node, notes, record),
        source_url=SOURCE_URL.format(uid=uid),
    )
    title = node.text("title")
    info = [f"Title: {title}"] if title else []
    _add_names(entity, node, path, record)
    _add_ids(entity, node, info, notes)
    _add_birth(entity, node, notes, record)
    _add_addresses(entity, node, notes)
    _add_vessel(entity, node, info, notes)
    for program in node.index.get("programList", ()):
        for item in program:
            add_unique(entity.programs, text_of(item))
    entity.remarks = join_remarks(node.text("remarks"), info)
    return entity


@dataclass
class _Header:
    published: str | None = None
    record_count: int | None = None


def _read_header(element: etree._Element, path: Path) -> _Header:
    node = _Node(element)
    count_text = node.text("Record_Count")
    if count_text is not None and not count_text.isdigit():
        raise ListFormatError(
            path, f"Record_Count {count_text!r} is not a number", record="publshInformation"
        )
    published = iso_date(node.text("Publish_Date"), dayfirst=False)
    return _Header(published, int(count_text) if count_text is not None else None)


def load_file(path: Path, list_id: str | None = None) -> ParsedList:
    """Read one sdn.xml-schema file; Record_Count must match the entries read."""
    check_root(path, "sdnList")
    resolved_id = list_id_for(path, list_id)
    notes = Notes()
    header = _Header()
    entities: list[Entity] = []
    seen: set[str] = set()
    for element in iter_elements(path, {"publshInformation", "sdnEntry"}):
        if local_name(element.tag) == "publshInformation":
            header = _read_header(element, path)
            continue
        entity = parse_entry(element, path, resolved_id, notes)
        if entity.entity_id in seen:
            raise ListFormatError(path, "duplicate uid", record=f"uid {entity.entity_id}")
        seen.add(entity.entity_id)
        entities.append(entity)
    _check_count(path, header, len(entities), notes)
    return ParsedList(resolved_id, FORMAT_NAME, entities, header.published, notes.messages)


def _check_count(path: Path, header: _Header, read: int, notes: Notes) -> None:
    """A count mismatch means a truncated or edited file: refuse it rather than lose entries."""
    if header.record_count is None:
        notes.add("no Record_Count in publshInformation; completeness not checked")
    elif header.record_count != read:
        raise ListFormatError(
            path,
            f"Record_Count says {header.record_count} entries but {read} were read;"
            " the file is truncated or was edited",
            record="publshInformation",
        )


def load(paths: Sequence[Path], list_id: str | None) -> ParsedList:
    return load_file(one_file(paths, f"{FORMAT_NAME} reads one file, got {len(paths)}"), list_id)


def sniff(path: Path, head: bytes) -> bool:
    """An ``sdnList`` root in one of OFAC's namespaces (2018 tempuri or 2024 service)."""
    found = root_tag(head)
    if found is None or found[1] != "sdnList":
        return False
    namespace = found[0]
    if namespace in _SDN_NAMESPACES:
        return True
    return namespace.startswith(OFAC_SERVICE_NS) and namespace.rstrip("/").endswith("/XML")


SPEC = FormatSpec(
    name=FORMAT_NAME,
    title="OFAC SDN / consolidated list, XML (sdn.xml schema)",
    default_list_id=SDN_LIST_ID,
    sniff=sniff,
    load=load,
)
