"""goAML report XML."""

from __future__ import annotations

from pathlib import Path

import pytest

from screening.inputs import InputFormatError, Rejection, read_batch
from tests.screening.inputs.helpers import assert_reconciled, rows

COLUMNS = ("source_position", "transaction_id", "role", "name", "schema", "birth_date",
           "nationality", "country", "account", "bic", "id_number", "id_type")


def test_transaction_report(fixtures: Path) -> None:
    result = read_batch(fixtures / "goaml_str.xml")
    assert result.format == "goaml"
    assert result.records_read == 5
    assert result.rejections == [
        Rejection(4, "t_to", "transaction has neither t_to nor involved_parties"),
        Rejection(5, "t_from/from_person/birthdate", "invalid birth date '31/31/1990'"),
    ]
    iban = "BE71096123456769"
    assert rows(result, *COLUMNS) == [
        (1, "TRX-001", "party", "Karim Benali", "Person", "1988-02-29", "MA", None, None, None,
         None, None),
        (1, "TRX-001", "ordering_bank", "BNP Paribas Fortis", "Organization", None, None, None,
         None, "GEBABEBB", None, None),
        (1, "TRX-001", "originator", "Dupont Import Export", None, None, None, None, iban, None,
         None, None),
        (1, "TRX-001", "account_holder", "Dupont Import Export SPRL", "Organization", None, None,
         "BE", iban, None, "0456.789.123", "registration"),
        (1, "TRX-001", "account_holder", "DIE Trading", "Organization", None, None, "BE", iban,
         None, "0456.789.123", "registration"),
        (1, "TRX-001", "director", "Jean-Pierre Dupont", "Person", "1971-05-03", "BE", None,
         None, None, "71050312345", "national_id"),
        (1, "TRX-001", "signatory", "Marie Claire Dupont", "Person", "1975-11-20", "BE", None,
         iban, None, "EH123456", "passport"),
        (1, "TRX-001", "beneficiary", "Al-Noor Trading LLC", "Organization", None, None, "AE",
         None, None, None, None),
        (1, "TRX-001", "free_text", None, None, None, None, None, None, None, None, None),
        (1, "TRX-001", "free_text", None, None, None, None, None, None, None, None, None),
        (2, "TRX-002", "originator", "Omar Haddad", "Person", "1980", "SY", "SY", None, None,
         "SY-445566", "other"),
        (2, "TRX-002", "originator", "Abu Omar", "Person", "1980", "SY", "SY", None, None,
         "SY-445566", "other"),
        (2, "TRX-002", "beneficiary_bank", "KBC Bank", "Organization", None, None, None, None,
         "KREDBEBB", None, None),
        (2, "TRX-002", "beneficiary", "Ivan Petrov", None, None, None, None, "BE68539007547034",
         None, None, None),
        (3, "TRX-003", "party", "Olga Petrova", "Person", None, "UA", None, None, None, None,
         None),
        (3, "TRX-003", "party", "Black Sea Shipping Ltd", "Organization", None, None, "CY", None,
         None, "HE-998877", "registration"),
    ]
    texts = result.parties.filter(result.parties["role"] == "free_text")["free_text"].to_list()
    assert texts == ["Transfer to Al-Noor Trading for Abu Bakr",
                     "Beneficiary named in press reports (Abu Bakr al-Baghdadi network)"]
    addresses = rows(result, "address")
    assert addresses[3] == ("Chaussee de Wavre 200, 1050 Ixelles",)
    assert addresses[10] == ("Baghdad Street 7, Damascus",)
    assert_reconciled(result)


def test_activity_report(fixtures: Path) -> None:
    result = read_batch(fixtures / "goaml_activity.xml")
    assert (result.records_read, result.rejections) == (2, [])
    assert rows(result, "source_position", "transaction_id", "role", "name", "account", "bic",
                "id_number", "free_text") == [
        (1, None, "party", "Hassan Al-Masri", None, None, "A09876543", None),
        (1, None, "free_text", None, None, None, None, "Posts supporting a listed group"),
        (2, None, "party", "Belfius", None, "GKCCBEBB", None, None),
        (2, None, "party", "Hassan Al-Masri", "BE13068999999939", None, None, None),
    ]
    assert_reconciled(result)


def test_hostile_truncated_and_empty_reports(fixtures: Path, tmp_path: Path) -> None:
    path = tmp_path / "r.xml"
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE report [<!ENTITY x SYSTEM '
                    '"file:///etc/passwd">]>\n<report><transaction><transactionnumber>&x;'
                    "</transactionnumber></transaction></report>", encoding="utf-8")
    with pytest.raises(InputFormatError, match="refused for safety"):
        read_batch(path)
    data = (fixtures / "goaml_str.xml").read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputFormatError, match="malformed XML"):
        read_batch(path, format="goaml")
    path.write_text("<report><rentity_id>1</rentity_id></report>", encoding="utf-8")
    with pytest.raises(InputFormatError, match="no transaction or activity"):
        read_batch(path)
    path.write_bytes(b"  \n")
    with pytest.raises(InputFormatError, match="empty file"):
        read_batch(path, format="goaml")
