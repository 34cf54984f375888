"""The party type of a name that arrives without one (MT103 50K, pacs.008 without OrgId or
PrvtId, free text): a name carrying a legal form ("... LLC", "SAL", "PLC") is an organisation.

Without it, a company name would be compared as a person's and lose its legal-form and
abbreviation handling ("PERSIA INTL BANK PLC" scores 0.57 against "PERSIA INTERNATIONAL BANK
PLC" as a person, 1.0 as an organisation).
"""

from __future__ import annotations

import polars as pl

from screening.normalise import tokenise_names

ORGANIZATION = "Organization"


def has_legal_form(names: pl.Series) -> pl.Series:
    """True for each name whose organisation tokens include a legal form (``#`` token)."""
    tokens = tokenise_names(names, ORGANIZATION)
    return tokens.list.eval(pl.element().str.starts_with("#")).list.any().fill_null(value=False)


def inferred_schema(names: pl.Series, schemas: pl.Series) -> pl.Series:
    """``schemas`` with Organization for the unknown (null) ones whose name has a legal form."""
    unknown = schemas.is_null()
    if not unknown.any():
        return schemas
    guessed = pl.Series(names.name, [None] * len(names), dtype=pl.Utf8)
    positions = unknown.arg_true()
    orgs = has_legal_form(names.gather(positions))
    guessed = guessed.scatter(positions.filter(orgs), ORGANIZATION)
    return pl.select(pl.coalesce(schemas, guessed)).to_series().alias(schemas.name)
