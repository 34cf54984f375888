"""The one normalised entity model every list loader produces.

Loaders translate each official format into these plain dataclasses; the store, the index and
the review pages only ever see this model. Values stay as published (names keep their script
and spelling); only countries become ISO 3166 alpha-2 codes and dates become ISO strings.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Schema(StrEnum):
    """What kind of thing a list entry is."""

    PERSON = "Person"
    ORGANIZATION = "Organization"
    VESSEL = "Vessel"
    AIRCRAFT = "Aircraft"


class NameKind(StrEnum):
    """How much a name can be trusted to identify the entity."""

    PRIMARY = "primary"
    ALIAS = "alias"  # strong / good-quality a.k.a.
    WEAK_ALIAS = "weak_alias"  # low-quality a.k.a.: confirms a hit, never creates one alone
    FORMER = "former"  # f.k.a.
    ORIGINAL_SCRIPT = "original_script"


class IdKind(StrEnum):
    """Identifier families that are compared exactly after normalisation."""

    PASSPORT = "passport"
    NATIONAL_ID = "national_id"
    TAX_ID = "tax_id"
    REGISTRATION = "registration"
    BIC = "bic"
    IBAN = "iban"
    IMO = "imo"
    MMSI = "mmsi"
    CALL_SIGN = "call_sign"
    WALLET = "wallet"
    LEI = "lei"
    EMAIL = "email"
    PHONE = "phone"
    OTHER = "other"


def _fields(obj: Any) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in obj.__slots__}


@dataclass(slots=True)
class Name:
    full: str
    kind: NameKind = NameKind.PRIMARY
    lang: str | None = None
    # Name parts when the source gives them; "last" is the family name.
    first: str | None = None
    middle: str | None = None
    last: str | None = None


def dedupe_names(names: Iterable[Name]) -> list[Name]:
    """Names in order, each text kept once (the first, strongest occurrence wins)."""
    seen: set[str] = set()
    kept: list[Name] = []
    for name in names:
        key = name.full.casefold()
        if key not in seen:
            seen.add(key)
            kept.append(name)
    return kept


@dataclass(slots=True)
class BirthDate:
    """A date of birth with its precision.

    ``value`` is an ISO date cut to what is known ("1971", "1971-05", "1971-05-03"). A range
    ("born between 1960 and 1962") has ``until`` set to the upper bound, same form.
    """

    value: str
    until: str | None = None
    approximate: bool = False

    @property
    def precision(self) -> str:
        if self.until is not None:
            return "range"
        return {4: "year", 7: "month", 10: "day"}.get(len(self.value), "unknown")


@dataclass(slots=True)
class Address:
    text: str | None = None
    city: str | None = None
    country: str | None = None  # ISO 3166 alpha-2


@dataclass(slots=True)
class Identifier:
    kind: IdKind
    value: str
    country: str | None = None  # ISO 3166 alpha-2 of the issuer
    note: str | None = None
    raw_type: str | None = None  # the type as the list writes it


@dataclass(slots=True)
class Entity:
    entity_id: str  # stable id from the source (e.g. OFAC ent_num, UN DATAID)
    list_id: str
    schema: Schema
    names: list[Name] = field(default_factory=list)
    gender: str | None = None  # "male" / "female"
    birth_dates: list[BirthDate] = field(default_factory=list)
    birth_places: list[str] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)  # ISO alpha-2 (incl. citizenship)
    countries: list[str] = field(default_factory=list)  # ISO alpha-2 of addresses/residence
    addresses: list[Address] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    programs: list[str] = field(default_factory=list)
    listed_on: str | None = None  # ISO date
    remarks: str | None = None
    source_url: str | None = None  # link back to the source record
    reference: str | None = None  # the list's own reference, e.g. UN "QDi.001"

    @property
    def caption(self) -> str:
        """The name shown to analysts: the first primary name, else the first name."""
        for name in self.names:
            if name.kind == NameKind.PRIMARY:
                return name.full
        return self.names[0].full if self.names else self.entity_id

    def to_dict(self) -> dict[str, Any]:
        # Field by field rather than dataclasses.asdict, which deep-copies and is ~10x slower.
        data = _fields(self)
        for key in ("names", "birth_dates", "addresses", "identifiers"):
            data[key] = [_fields(item) for item in data[key]]
        for key in ("birth_places", "nationalities", "countries", "programs"):
            data[key] = list(data[key])
        return data

    def to_json(self) -> str:
        """Canonical JSON of every field (sorted keys), as stored and hashed."""
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, default=str)

    def content_hash(self) -> str:
        """A digest of every field, used to detect changed entities between snapshots."""
        return hashlib.sha256(self.to_json().encode("utf-8")).hexdigest()

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Entity:
        return cls(
            entity_id=data["entity_id"],
            list_id=data["list_id"],
            schema=Schema(data["schema"]),
            names=[
                Name(**{**n, "kind": NameKind(n["kind"])}) for n in data.get("names", [])
            ],
            gender=data.get("gender"),
            birth_dates=[BirthDate(**b) for b in data.get("birth_dates", [])],
            birth_places=list(data.get("birth_places", [])),
            nationalities=list(data.get("nationalities", [])),
            countries=list(data.get("countries", [])),
            addresses=[Address(**a) for a in data.get("addresses", [])],
            identifiers=[
                Identifier(**{**i, "kind": IdKind(i["kind"])})
                for i in data.get("identifiers", [])
            ],
            programs=list(data.get("programs", [])),
            listed_on=data.get("listed_on"),
            remarks=data.get("remarks"),
            source_url=data.get("source_url"),
            reference=data.get("reference"),
        )


@dataclass(slots=True)
class ParsedList:
    """What one loader returns: the entities of one list plus what the file says about itself."""

    list_id: str
    format: str
    entities: list[Entity]
    published: str | None = None  # ISO date (or datetime) read from the file, when present
    warnings: list[str] = field(default_factory=list)  # unknown values, skipped records
    # Added for national/confidential lists: hits on a confidential list are shown only to
    # cleared roles. Defaults keep every existing loader unchanged.
    confidential: bool = False
    title: str | None = None  # a human title of the list, when the file or mapping gives one
