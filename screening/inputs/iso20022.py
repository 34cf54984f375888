"""ISO 20022 credit transfers: pacs.008 (FI to FI) and pain.001 (customer to bank).

Any message version parses alike (tags are matched by local name, namespaces ignored). Files
are streamed transaction by transaction (CdtTrfTxInf), so 100k-transaction files stay small
in memory. One record = one CdtTrfTxInf; its position counts transactions across the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from lists.xmlsafe import local_name
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
    xtexts,
)

# Agents and the role their bank takes in the parties frame.
AGENT_ROLES = (
    ("DbtrAgt", "ordering_bank"),
    ("IntrmyAgt1", "intermediary_bank"),
    ("IntrmyAgt2", "intermediary_bank"),
    ("IntrmyAgt3", "intermediary_bank"),
    ("CdtrAgt", "beneficiary_bank"),
)
_ADDRESS_PARTS = (
    "Dept", "SubDept", "_street", "BldgNm", "Flr", "PstBx", "Room", "_town", "TwnLctnNm",
    "DstrctNm", "CtrySubDvsn",
)


def address_of(postal: Node | None) -> tuple[str | None, str | None]:
    """(address text, ISO country) of a PstlAdr: structured parts first, then AdrLine."""
    if postal is None:
        return None, None
    derived = {
        "_street": join_text([xtext(postal, "StrtNm"), xtext(postal, "BldgNb")], " "),
        "_town": join_text([xtext(postal, "PstCd"), xtext(postal, "TwnNm")], " "),
    }
    parts = [derived[p] if p.startswith("_") else xtext(postal, p) for p in _ADDRESS_PARTS]
    return join_text([*parts, *xtexts(postal, "AdrLine")]), country_code(xtext(postal, "Ctry"))


def _other_id(other: Node | None) -> tuple[str | None, str | None]:
    if other is None or xtext(other, "Id") is None:
        return None, None
    scheme = xtext(other, "SchmeNm/Cd") or xtext(other, "SchmeNm/Prtry")
    return clean(xtext(other, "Id")), id_type_of(scheme)


def party_of(element: Node, role: str, where: str) -> Party:
    """A PartyIdentification (Dbtr, Cdtr, UltmtDbtr, UltmtCdtr, InitgPty)."""
    address, country = address_of(xfirst(element, "PstlAdr"))
    party = Party(
        role=role, name=clean(xtext(element, "Nm")), address=address,
        country=country or country_code(xtext(element, "CtryOfRes")),
    )
    org, person = xfirst(element, "Id/OrgId"), xfirst(element, "Id/PrvtId")
    if org is not None:
        party.schema = ORGANIZATION
        party.bic = normalise_bic(xtext(org, "AnyBIC") or xtext(org, "BICOrBEI"),
                                  f"{where}/Id/OrgId/AnyBIC")
        if lei := clean(xtext(org, "LEI")):
            party.id_number, party.id_type = lei, "lei"
        else:
            party.id_number, party.id_type = _other_id(xfirst(org, "Othr"))
    elif person is not None:
        party.schema = PERSON
        birth = xfirst(person, "DtAndPlcOfBirth")
        party.birth_date = birth_date(xtext(birth, "BirthDt"),
                                      f"{where}/Id/PrvtId/DtAndPlcOfBirth/BirthDt")
        party.birth_place = join_text([xtext(birth, "CityOfBirth"), xtext(birth, "CtryOfBirth")])
        party.id_number, party.id_type = _other_id(xfirst(person, "Othr"))
    return party


def agent_of(element: Node, role: str, where: str) -> Party:
    """A financial institution (DbtrAgt, CdtrAgt, IntrmyAgtN): BIC, name, address."""
    institution = xfirst(element, "FinInstnId")
    address, country = address_of(xfirst(institution, "PstlAdr"))
    bic = xtext(institution, "BICFI") or xtext(institution, "BIC")
    lei = clean(xtext(institution, "LEI"))
    return Party(
        role=role, name=clean(xtext(institution, "Nm")), schema=ORGANIZATION,
        bic=normalise_bic(bic, f"{where}/FinInstnId/BICFI"), address=address, country=country,
        id_number=lei, id_type="lei" if lei else None,
    )


def account_of(element: Node | None) -> str | None:
    return normalise_account(xtext(element, "Id/IBAN") or xtext(element, "Id/Othr/Id"))


def transaction_id_of(tx: Node) -> str | None:
    end_to_end = clean(xtext(tx, "PmtId/EndToEndId"))
    if end_to_end and end_to_end.upper() != "NOTPROVIDED":
        return end_to_end
    return clean(xtext(tx, "PmtId/TxId")) or clean(xtext(tx, "PmtId/UETR"))


def _named(parent: Node, name: str) -> Node | None:
    found = parent.kids.get(name)
    return found[0] if found else None


def _side(holder: Node, name: str, role: str, account: str | None) -> list[Party]:
    """The party ``name`` of ``holder`` (with its account element), when present."""
    element = _named(holder, name)
    if element is None:
        return []
    party = party_of(element, role, name)
    if account is not None:
        party.account = account_of(_named(holder, account))
    return [party]


def _remittance(tx: Node) -> list[Party]:
    info = xfirst(tx, "RmtInf")
    if info is None:
        return []
    lines = xtexts(info, "Ustrd")
    lines += [v for strd in xchildren(info, "Strd") for v in xtexts(strd, "AddtlRmtInf")]
    text = join_text(lines, "\n")
    return [Party(role="free_text", free_text=text)] if text else []


def transaction_parties(tx: Node, header: list[Party], payment: Node | None
                        ) -> list[Party]:
    """Every party of one CdtTrfTxInf; ``payment`` is the pain.001 PmtInf holding it."""
    debtor_holder = payment if payment is not None else tx
    if _named(debtor_holder, "Dbtr") is None:
        raise RecordError("Dbtr", "missing debtor (Dbtr)")
    if _named(tx, "Cdtr") is None:
        raise RecordError("Cdtr", "missing creditor (Cdtr)")
    parties = list(header)
    parties += _side(tx, "InitgPty", "initiating_party", None)
    ultimate_holder = tx if _named(tx, "UltmtDbtr") is not None else debtor_holder
    parties += _side(ultimate_holder, "UltmtDbtr", "ultimate_originator", None)
    parties += _side(debtor_holder, "Dbtr", "originator", "DbtrAcct")
    for name, role in AGENT_ROLES:
        holder = debtor_holder if name == "DbtrAgt" else tx
        if (agent := _named(holder, name)) is not None:
            parties.append(agent_of(agent, role, name))
    parties += _side(tx, "Cdtr", "beneficiary", "CdtrAcct")
    parties += _side(tx, "UltmtCdtr", "ultimate_beneficiary", None)
    return parties + _remittance(tx)


def iter_records(path: Path) -> Iterator[Outcome]:
    """One outcome per CdtTrfTxInf, in file order."""
    header: list[Party] = []  # pain.001 GrpHdr/InitgPty, repeated on each transaction
    payment: Node | None = None
    position = 0
    for element in stream_xml(path, {"GrpHdr", "CdtTrfTxInf"}):
        if local_name(element.tag) == "GrpHdr":
            initiating = _named(node_of(element), "InitgPty")
            header = [party_of(initiating, "initiating_party", "GrpHdr/InitgPty")] if (
                initiating is not None) else []
            continue
        position += 1
        parent = element.getparent()
        if parent is not None and local_name(parent.tag) == "PmtInf":
            payment = _payment_info(element, parent, payment)
        tx = node_of(element)
        try:
            parties = transaction_parties(tx, header, payment)
            yield record_or_rejection(position, transaction_id_of(tx), parties)
        except RecordError as exc:
            yield Rejection(position, exc.field, exc.reason)
    if position == 0:
        raise InputFormatError(path, "no credit transfer transaction (CdtTrfTxInf) found")


def _payment_info(tx: etree._Element, payment: etree._Element, last: Node | None) -> Node:
    """The PmtInf header (Dbtr, DbtrAcct, DbtrAgt...) that ``tx`` belongs to.

    The streaming reader frees the elements preceding the current one, so the header is read
    when the first transaction of a PmtInf arrives and reused for the following ones.
    """
    kids: dict[str, list[Node]] = {}
    for child in payment:
        if child is tx:
            break
        if isinstance(child.tag, str) and local_name(child.tag) != "CdtTrfTxInf":
            node = node_of(child)
            kids.setdefault(node.name, []).append(node)
    if not kids and last is not None:
        return last
    return Node("PmtInf", None, kids)


def parse(path: Path | str, chunk_records: int | None = None) -> Iterator[ParseResult]:
    """pacs.008 or pain.001 as ParseResults (one, or chunks of ``chunk_records``)."""
    path = Path(path)
    fmt = _format_of(path)
    sha = file_sha256(path)
    yield from results_of(iter_records(path), fmt, sha, [], chunk_records)


def read(path: Path | str) -> ParseResult:
    return merge_results(parse(path))


def _format_of(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(1 << 16)
    return "pain001" if b"CstmrCdtTrfInitn" in head else "pacs008"
