"""Identifier types as lists write them, mapped to our identifier kinds, and value cleaning."""

from __future__ import annotations

import re

from lists.model import Identifier, IdKind

# Checked in order; the first keyword found in the lower-cased type text wins.
_KIND_KEYWORDS: list[tuple[str, IdKind]] = [
    ("digital currency", IdKind.WALLET),
    ("wallet", IdKind.WALLET),
    ("swift", IdKind.BIC),
    ("bic", IdKind.BIC),
    ("iban", IdKind.IBAN),
    ("imo", IdKind.IMO),
    ("vessel registration", IdKind.IMO),
    ("mmsi", IdKind.MMSI),
    ("call sign", IdKind.CALL_SIGN),
    ("passport", IdKind.PASSPORT),
    ("passeport", IdKind.PASSPORT),
    ("pasaporte", IdKind.PASSPORT),
    ("national id", IdKind.NATIONAL_ID),
    ("national identification", IdKind.NATIONAL_ID),
    ("identity card", IdKind.NATIONAL_ID),
    ("id card", IdKind.NATIONAL_ID),
    ("cedula", IdKind.NATIONAL_ID),
    ("cnic", IdKind.NATIONAL_ID),
    ("personal id", IdKind.NATIONAL_ID),
    ("ni number", IdKind.NATIONAL_ID),
    ("ssn", IdKind.NATIONAL_ID),
    ("social security", IdKind.NATIONAL_ID),
    ("lei", IdKind.LEI),
    ("legal entity number", IdKind.LEI),
    ("tax", IdKind.TAX_ID),
    ("inn", IdKind.TAX_ID),
    ("vat", IdKind.TAX_ID),
    ("rfc", IdKind.TAX_ID),
    ("nit", IdKind.TAX_ID),
    ("registration", IdKind.REGISTRATION),
    ("company number", IdKind.REGISTRATION),
    ("business number", IdKind.REGISTRATION),
    ("ogrn", IdKind.REGISTRATION),
    ("email", IdKind.EMAIL),
    ("phone", IdKind.PHONE),
    ("national", IdKind.NATIONAL_ID),
]


def kind_of(raw_type: str | None) -> IdKind:
    """Our identifier kind for a list's identifier type text ("Passport", "SWIFT/BIC", ...)."""
    if not raw_type:
        return IdKind.OTHER
    text = raw_type.casefold()
    for keyword, kind in _KIND_KEYWORDS:
        if re.search(rf"(?<![a-z]){re.escape(keyword)}(?![a-z])", text):
            return kind
    return IdKind.OTHER


def clean_value(kind: IdKind, value: str) -> str:
    """The comparable form of an identifier value: no spaces or separators, upper case.

    Wallet addresses keep their case (bech32/base58 are case-sensitive in part); IMO numbers
    lose their "IMO" prefix.
    """
    text = value.strip()
    if kind == IdKind.WALLET:
        return text
    text = re.sub(r"[\s./-]+", "", text).upper()
    if kind == IdKind.IMO:
        text = re.sub(r"^IMO", "", text)
    return text


def make_identifier(
    raw_type: str | None,
    value: str,
    country: str | None = None,
    note: str | None = None,
    kind: IdKind | None = None,
) -> Identifier:
    """An identifier whose kind is inferred from the list's type text unless given."""
    resolved = kind if kind is not None else kind_of(raw_type)
    return Identifier(
        kind=resolved, value=value.strip(), country=country, note=note, raw_type=raw_type
    )
