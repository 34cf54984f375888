"""goAML (UNODC) report XML: the parties of every transaction or activity report party.

One record = one ``transaction`` (or, in activity reports, one ``report_party``). Roles: the
from side gives originator / ordering_bank, the to side beneficiary / beneficiary_bank,
involved parties, conductors and activity report parties "party"; accounts add their holder
entity (account_holder) and signatories; entities add their directors.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from screening.inputs.parties import (
    ORGANIZATION,
    PERSON,
    InputFormatError,
    Node,
    Outcome,
    ParseResult,
    Party,
    RecordError,
    Rejection,
    birth_date,
    clean,
    country_code,
    file_sha256,
    id_type_of,
    join_text,
    merge_results,
    node_of,
    normalise_account,
    normalise_bic,
    record_or_rejection,
    results_of,
    stream_xml,
    xchildren,
    xfirst,
    xtext,
)

PERSON_TAGS = ("person", "person_my_client")
ENTITY_TAGS = ("entity", "entity_my_client")
ACCOUNT_TAGS = ("account", "account_my_client")


def address_of(holder: Node) -> tuple[str | None, str | None]:
    """(address text, ISO country) of the first addresses/address of a person or entity."""
    address = xfirst(holder, "addresses/address")
    if address is None:
        return None, None
    text = join_text([
        join_text([xtext(address, "address"), xtext(address, "house_number")], " "),
        xtext(address, "apartment_number"),
        join_text([xtext(address, "zip"), xtext(address, "city") or xtext(address, "town")],
                  " "),
        xtext(address, "state"),
    ])
    return text, country_code(xtext(address, "country_code"))


def _person_id(person: Node) -> tuple[str | None, str | None]:
    """The strongest identifier: passport, id number, identification, ssn, tax number."""
    if value := clean(xtext(person, "passport_number")):
        return value, "passport"
    if value := clean(xtext(person, "id_number")):
        return value, "national_id"
    identification = xfirst(person, "identification")
    if identification is not None and (value := clean(xtext(identification, "number"))):
        return value, id_type_of(xtext(identification, "type"))
    if value := clean(xtext(person, "ssn")):
        return value, "national_id"
    if value := clean(xtext(person, "tax_number")):
        return value, "tax_id"
    return None, None


def person_parties(person: Node, role: str, where: str) -> list[Party]:
    """A t_person, plus its alias and foreign-script full name as extra name rows."""
    address, country = address_of(person)
    number, kind = _person_id(person)
    party = Party(
        role=role, schema=PERSON,
        name=join_text([xtext(person, t) for t in
                        ("first_name", "middle_name", "prefix", "last_name")], " "),
        birth_date=birth_date(xtext(person, "birthdate"), f"{where}/birthdate"),
        birth_place=clean(xtext(person, "birth_place")),
        nationality=country_code(xtext(person, "nationality1")),
        country=country or country_code(xtext(person, "residence")),
        address=address, id_number=number, id_type=kind,
    )
    extra = [clean(xtext(person, "alias")), clean(xtext(person, "full_name_frn"))]
    aliases = [_renamed(party, name) for name in extra if name and name != party.name]
    return [party, *aliases]


def _renamed(party: Party, name: str) -> Party:
    return Party(**{**{k: getattr(party, k) for k in Party.__slots__}, "name": name})


def entity_parties(entity: Node, role: str, where: str) -> list[Party]:
    """A t_entity and its directors (director role)."""
    address, country = address_of(entity)
    number = clean(xtext(entity, "incorporation_number"))
    party = Party(
        role=role, schema=ORGANIZATION, name=clean(xtext(entity, "name")),
        country=country or country_code(xtext(entity, "incorporation_country_code")),
        address=address, id_number=number, id_type="registration" if number else None,
    )
    parties = [party]
    commercial = clean(xtext(entity, "commercial_name"))
    if commercial and commercial != party.name:
        parties.append(_renamed(party, commercial))
    for director in xchildren(entity, "director_id"):
        parties += person_parties(director, "director", f"{where}/director_id")
    return parties


def account_parties(account: Node, role: str, bank_role: str, where: str
                    ) -> list[Party]:
    """A t_account: its bank, its named account, holder entity and signatories."""
    number = normalise_account(xtext(account, "iban") or xtext(account, "account"))
    parties = []
    bank_name = clean(xtext(account, "institution_name"))
    bank_bic = normalise_bic(xtext(account, "swift"), f"{where}/swift")
    if bank_name or bank_bic:
        parties.append(Party(role=bank_role, name=bank_name, bic=bank_bic, schema=ORGANIZATION,
                             country=country_code(xtext(account, "institution_country"))))
    parties.append(Party(role=role, name=clean(xtext(account, "account_name")), account=number))
    holder = xfirst(account, "t_entity")
    if holder is not None:
        for party in entity_parties(holder, "account_holder", f"{where}/t_entity"):
            party.account = party.account or (number if party.role == "account_holder" else None)
            parties.append(party)
    for signatory in xchildren(account, "signatory"):
        person = xfirst(signatory, "t_person")
        if person is not None:
            for party in person_parties(person, "signatory", f"{where}/signatory/t_person"):
                party.account = number
                parties.append(party)
    return parties


def subject_parties(holder: Node, prefix: str, role: str, bank_role: str
                    ) -> list[Party]:
    """The person, entity or account child of a side or party element.

    ``prefix`` is "from_" / "to_" on transaction sides and "" on involved and report parties.
    """
    parties: list[Party] = []
    for child in holder:
        name = child.name
        bare = name.removeprefix(prefix) if prefix else name
        where = f"{holder.name}/{name}"
        if bare in PERSON_TAGS:
            parties += person_parties(child, role, where)
        elif bare in ENTITY_TAGS:
            parties += entity_parties(child, role, where)
        elif bare in ACCOUNT_TAGS:
            parties += account_parties(child, role, bank_role, where)
        elif name == "t_conductor":
            parties += person_parties(child, "party", where)
    return parties


def _side(tx: Node, side: str) -> Node | None:
    for name in (f"t_{side}_my_client", f"t_{side}"):
        if found := xchildren(tx, name):
            return found[0]
    return None


def _free_text(element: Node, names: tuple[str, ...]) -> list[Party]:
    texts = [clean(xtext(element, name)) for name in names]
    return [Party(role="free_text", free_text=text) for text in texts if text]


def transaction_parties(tx: Node) -> list[Party]:
    parties: list[Party] = []
    involved = xchildren(tx, "involved_parties")
    source, target = _side(tx, "from"), _side(tx, "to")
    if not involved:
        if source is None:
            raise RecordError("t_from", "transaction has neither t_from nor involved_parties")
        if target is None:
            raise RecordError("t_to", "transaction has neither t_to nor involved_parties")
        parties += subject_parties(source, "from_", "originator", "ordering_bank")
        parties += subject_parties(target, "to_", "beneficiary", "beneficiary_bank")
    for group in involved:
        for party in xchildren(group, "party"):
            parties += subject_parties(party, "", "party", "party")
    return parties + _free_text(tx, ("transaction_description", "comments"))


def report_party_parties(report_party: Node) -> list[Party]:
    parties = subject_parties(report_party, "", "party", "party")
    return parties + _free_text(report_party, ("reason", "comments"))


def iter_records(path: Path) -> Iterator[Outcome]:
    """One outcome per transaction or activity report_party, in file order."""
    position = 0
    for element in stream_xml(path, {"transaction", "report_party"}):
        position += 1
        node = node_of(element)
        is_tx = node.name == "transaction"
        reference = clean(xtext(node, "transactionnumber")) if is_tx else None
        try:
            parties = transaction_parties(node) if is_tx else report_party_parties(node)
        except RecordError as exc:
            yield Rejection(position, exc.field, exc.reason)
            continue
        yield record_or_rejection(position, reference, parties)
    if position == 0:
        raise InputFormatError(path, "no transaction or activity/report_party in the report")


def parse(path: Path | str, chunk_records: int | None = None) -> Iterator[ParseResult]:
    path = Path(path)
    yield from results_of(iter_records(path), "goaml", file_sha256(path), [], chunk_records)


def read(path: Path | str) -> ParseResult:
    return merge_results(parse(path))
