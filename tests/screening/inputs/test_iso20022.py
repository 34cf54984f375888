"""ISO 20022 pacs.008 and pain.001."""

from __future__ import annotations

from pathlib import Path

import pytest

from screening.inputs import InputFormatError, Rejection, read_batch
from screening.inputs.iso20022 import parse
from tests.screening.inputs.helpers import assert_reconciled, rows

MAIN = ("source_position", "transaction_id", "role", "name", "schema", "bic", "account")


def test_pacs008_parties(fixtures: Path) -> None:
    result = read_batch(fixtures / "pacs008.xml")
    assert result.format == "pacs008"
    assert result.records_read == 5
    assert result.rejections == [
        Rejection(3, "Cdtr", "missing creditor (Cdtr)"),
        Rejection(4, "Dbtr/Id/PrvtId/DtAndPlcOfBirth/BirthDt", "invalid birth date '1971-13-45'"),
        Rejection(5, "DbtrAgt/FinInstnId/BICFI", "invalid BIC 'NOTABIC!'"),
    ]
    assert rows(result, *MAIN) == [
        (1, "E2E-0001", "ultimate_originator", "Holding Alpha SA", None, None, None),
        (1, "E2E-0001", "originator", "Jean-Pierre Dupont", "Person", None, "BE71096123456769"),
        (1, "E2E-0001", "ordering_bank", "BNP Paribas Fortis", "Organization", "GEBABEBB", None),
        (1, "E2E-0001", "intermediary_bank", None, "Organization", "CHASUS33", None),
        (1, "E2E-0001", "beneficiary_bank", None, "Organization", "DEUTDEFFXXX", None),
        (1, "E2E-0001", "beneficiary", "Al-Noor Trading LLC", "Organization", "ALNOAEAD",
         "0012345678"),
        (1, "E2E-0001", "ultimate_beneficiary", "Omar Haddad", None, None, None),
        (1, "E2E-0001", "free_text", None, None, None, None),
        (2, "TX-0002", "originator", "Maria Garcia", "Person", None, "ES9121000418450200051332"),
        (2, "TX-0002", "beneficiary", "Ivan Petrov", None, None, None),
    ]
    details = rows(result, "role", "birth_date", "birth_place", "country", "address",
                   "id_number", "id_type", "free_text")
    assert details[1] == ("originator", "1971-05-03", "Liege, BE", "BE",
                          "Rue de la Loi 16, 1000 Bruxelles", "71050312345", "national_id", None)
    assert details[5] == ("beneficiary", None, None, "AE", "PO Box 1234, Dubai",
                          "5493001KJTIIGC8Y1R12", "lei", None)
    assert details[6][3] == "SY"  # CtryOfRes
    assert details[7][-1] == "INVOICE 2024-77 ON BEHALF OF\nABU BAKR AL-BAGHDADI"
    assert details[8][5:7] == ("X1234567", "passport")
    assert_reconciled(result)


def test_pain001_parties_repeat_payment_header(fixtures: Path) -> None:
    result = read_batch(fixtures / "pain001.xml")
    assert result.format == "pain001"
    assert (result.records_read, result.rejections) == (3, [])
    assert rows(result, "source_position", "transaction_id", "role", "name", "bic",
                "account", "id_type") == [
        (1, "SAL-001", "initiating_party", "Acme Payroll Services", None, None, "tax_id"),
        (1, "SAL-001", "originator", "Acme NV", None, "BE68539007547034", None),
        (1, "SAL-001", "ordering_bank", None, "KREDBEBB", None, None),
        (1, "SAL-001", "beneficiary_bank", None, "INGBNL2A", None, None),
        (1, "SAL-001", "beneficiary", "Pieter de Vries", None, "NL91ABNA0417164300", None),
        (1, "SAL-001", "free_text", None, None, None, None),
        (2, "SAL-002", "initiating_party", "Acme Payroll Services", None, None, "tax_id"),
        (2, "SAL-002", "ultimate_originator", "Acme Subsidiary BV", None, None, None),
        (2, "SAL-002", "originator", "Acme NV", None, "BE68539007547034", None),
        (2, "SAL-002", "ordering_bank", None, "KREDBEBB", None, None),
        (2, "SAL-002", "beneficiary", "Fatima Zahra El Idrissi", None,
         "MA64011519000001205000534921", None),
        (3, "LOG-001", "initiating_party", "Acme Payroll Services", None, None, "tax_id"),
        (3, "LOG-001", "originator", "Acme Logistics SRL", None, "RO49AAAA1B31007593840000",
         None),
        (3, "LOG-001", "beneficiary", "Transport Ionescu SRL", None, None, None),
    ]
    assert_reconciled(result)


def test_any_namespace_version_and_chunks(fixtures: Path, tmp_path: Path) -> None:
    text = (fixtures / "pacs008.xml").read_text(encoding="utf-8")
    other = tmp_path / "v2.xml"
    other.write_text(text.replace("pacs.008.001.08", "pacs.008.001.02")
                     .replace("BICFI>", "BIC>"), encoding="utf-8")
    before = read_batch(fixtures / "pacs008.xml")
    after = read_batch(other)
    assert rows(after) == rows(before)
    chunks = list(parse(fixtures / "pacs008.xml", chunk_records=2))
    assert [c.records_read for c in chunks] == [2, 2, 1]
    for chunk in chunks:
        assert_reconciled(chunk)


def test_many_transactions_stream(tmp_path: Path) -> None:
    tx = ("<CdtTrfTxInf><PmtId><EndToEndId>E{n}</EndToEndId></PmtId><Dbtr><Nm>Payer {n}</Nm>"
          "</Dbtr><Cdtr><Nm>Payee {n}</Nm></Cdtr></CdtTrfTxInf>")
    body = "".join(tx.format(n=n) for n in range(20_000))
    path = tmp_path / "big.xml"
    path.write_text("<Document xmlns='urn:iso:std:iso:20022:tech:xsd:pacs.008.001.09'>"
                    f"<FIToFICstmrCdtTrf><GrpHdr/>{body}</FIToFICstmrCdtTrf></Document>",
                    encoding="utf-8")
    result = read_batch(path)
    assert (result.records_read, result.parties.height) == (20_000, 40_000)
    assert rows(result, "transaction_id", "name")[-1] == ("E19999", "Payee 19999")


def test_oversized_name_rejects_its_transaction(fixtures: Path, tmp_path: Path) -> None:
    text = (fixtures / "pain001.xml").read_text(encoding="utf-8")
    path = tmp_path / "long.xml"
    path.write_text(text.replace("Pieter de Vries", "X" * 2_000_000), encoding="utf-8")
    result = read_batch(path)
    assert result.rejections == [Rejection(
        1, "beneficiary.name", "value of 2000000 characters exceeds the limit of 1000")]
    assert result.records_read == 3
    assert_reconciled(result)
    # Beyond libxml2's 10 MB text node limit the document itself is refused, cleanly.
    path.write_text(text.replace("Pieter de Vries", "X" * 11_000_000), encoding="utf-8")
    with pytest.raises(InputFormatError, match="malformed XML"):
        read_batch(path)


@pytest.mark.parametrize("cut", [0.5, 0.97])
def test_truncated_xml_is_a_whole_file_error(fixtures: Path, tmp_path: Path, cut: float) -> None:
    data = (fixtures / "pacs008.xml").read_bytes()
    path = tmp_path / "cut.xml"
    path.write_bytes(data[: int(len(data) * cut)])
    with pytest.raises(InputFormatError, match="malformed XML") as error:
        read_batch(path, format="pacs008")
    assert str(path) in str(error.value)


def test_wrong_encoding_and_empty(tmp_path: Path, fixtures: Path) -> None:
    text = (fixtures / "pain001.xml").read_text(encoding="utf-8")
    path = tmp_path / "latin.xml"
    path.write_bytes(text.replace("Pieter de Vries", "Pièter Müller").encode("cp1252"))
    with pytest.raises(InputFormatError, match="malformed XML"):
        read_batch(path, format="pain001")
    path.write_bytes(b"")
    with pytest.raises(InputFormatError, match="empty file"):
        read_batch(path, format="pacs008")
    path.write_text("<Document><FIToFICstmrCdtTrf><GrpHdr/></FIToFICstmrCdtTrf></Document>",
                    encoding="utf-8")
    with pytest.raises(InputFormatError, match="no credit transfer transaction"):
        read_batch(path)


XXE = """<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Document><FIToFICstmrCdtTrf><CdtTrfTxInf><PmtId><EndToEndId>E</EndToEndId></PmtId>
<Dbtr><Nm>&xxe;</Nm></Dbtr><Cdtr><Nm>B</Nm></Cdtr></CdtTrfTxInf></FIToFICstmrCdtTrf></Document>
"""
LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<Document><FIToFICstmrCdtTrf><CdtTrfTxInf><Dbtr><Nm>&lol4;</Nm></Dbtr><Cdtr><Nm>B</Nm></Cdtr>
</CdtTrfTxInf></FIToFICstmrCdtTrf></Document>
"""


@pytest.mark.parametrize("document", [XXE, LAUGHS], ids=["xxe", "billion-laughs"])
def test_hostile_xml_is_refused(tmp_path: Path, document: str) -> None:
    path = tmp_path / "hostile.xml"
    path.write_text(document, encoding="utf-8")
    with pytest.raises(InputFormatError, match="refused for safety"):
        read_batch(path)
