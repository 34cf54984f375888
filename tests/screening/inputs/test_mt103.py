"""SWIFT MT103 and MT202 COV files."""

from __future__ import annotations

from pathlib import Path

import pytest

from screening.inputs import InputFormatError, Rejection, read_batch
from tests.screening.inputs.helpers import assert_reconciled, rows

MAIN = ("source_position", "transaction_id", "role", "name", "schema", "account", "bic")


def test_block_format_messages(fixtures: Path) -> None:
    result = read_batch(fixtures / "mt103.txt")
    assert result.format == "mt103"
    assert result.records_read == 5
    assert result.rejections == [
        Rejection(3, "59a", "missing beneficiary customer :59:/:59A:/:59F:"),
        Rejection(5, "block4", "text block {4: is not terminated by '-}'"),
    ]
    assert rows(result, *MAIN) == [
        (1, "FT24123ABC001", "originator", "JEAN-PIERRE DUPONT", None, "BE71096123456769", None),
        (1, "FT24123ABC001", "ordering_bank", None, "Organization", None, "GEBABEBB"),
        (1, "FT24123ABC001", "intermediary_bank", None, "Organization", None, "CHASUS33"),
        (1, "FT24123ABC001", "beneficiary_bank", None, "Organization", None, "DEUTDEFFXXX"),
        (1, "FT24123ABC001", "beneficiary", "AL-NOOR TRADING LLC", None,
         "DE89370400440532013000", None),
        (1, "FT24123ABC001", "free_text", None, None, None, None),
        (2, "FT24123ABC002", "originator", "MARIA GARCIA LOPEZ", "Person", None, None),
        (2, "FT24123ABC002", "ordering_bank", "BANQUE EXEMPLE SA", "Organization", "12345", None),
        (2, "FT24123ABC002", "beneficiary", "PIETER DE VRIES", None, "NL91ABNA0417164300", None),
        (2, "FT24123ABC002", "free_text", None, None, None, None),
        # MT202 COV: only sequence B (52A/58A of sequence A are the cover banks)
        (4, "COV24123X004", "originator", None, "Organization", "AE070331234567890123456",
         "ALNOAEAD"),
        (4, "COV24123X004", "beneficiary_bank", None, "Organization", None, "CITIUS33"),
        (4, "COV24123X004", "beneficiary", "IVAN PETROV", None, "123456789", None),
        (4, "COV24123X004", "free_text", None, None, None, None),
    ]
    details = rows(result, "role", "birth_date", "birth_place", "country", "address",
                   "id_number", "id_type", "free_text")
    assert details[0][4] == "RUE DE LA LOI 16, 1000 BRUXELLES"
    assert details[5][-1] == "INVOICE 2024-77 ON BEHALF OF ABU BAKR AL-BAGHDADI"
    assert details[6] == ("originator", "1980-01-15", "MADRID, ES", "BE",
                          "AVENUE LOUISE 54, BRUSSELS", "AB1234567", "passport", None)
    assert details[8][3:5] == ("NL", "DAMRAK 1, AMSTERDAM")
    assert details[9][-1] == "/INS/ABNANL2A //PAYMENT FOR OMAR HADDAD"
    assert_reconciled(result)


def test_dollar_separated_messages(fixtures: Path) -> None:
    result = read_batch(fixtures / "mt103_dollar.txt")
    assert result.records_read == 3
    assert result.rejections == [
        Rejection(2, "50F/4", "invalid birth date '19751332'"),
        Rejection(3, "50A", "invalid BIC 'BADBIC'"),
    ]
    assert rows(result, "source_position", "transaction_id", "role", "name", "address",
                "account") == [
        (1, "REF-A", "originator", "JEAN MARTIN", "PARIS", "FR7630006000011234567890189"),
        (1, "REF-A", "beneficiary", "OLGA PETROVA", "KYIV UA", None),
    ]
    assert_reconciled(result)


def _message(reference: str, originator: str) -> str:
    return (f"{{1:F01GEBABEBBAXXX0000000000}}{{2:I103DEUTDEFFXXXXN}}{{4:\n:20:{reference}\n"
            f":50K:{originator}\n:59:BENEFICIARY\n-}}")


def test_huge_field_rejects_its_message_only(tmp_path: Path) -> None:
    path = tmp_path / "huge.fin"
    path.write_text(_message("A", "ANN LEE") + _message("B", "X" * 10_000_000)
                    + _message("C", "CARL ROY"), encoding="ascii")
    result = read_batch(path)
    assert result.rejections == [Rejection(
        2, "50K", "field of 10000000 characters is far beyond SWIFT sizes")]
    assert rows(result, "source_position", "name") == [
        (1, "ANN LEE"), (1, "BENEFICIARY"), (3, "CARL ROY"), (3, "BENEFICIARY")]


def test_50f_identifier_codes_and_numbered_lines(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_text(
        ":20:R1\n:50F:NIDN/DE/121231234342\n1/JOHANN WILLEMS\n2/RUE JOSEPH II, 19\n"
        "3/BE/1040 BRUSSELS\n:59:/BE62510007547061\nJOHANN WILLEMS\n$\n"
        ":20:R2\n:50F:/12345678\n1/ANNA SMITH\n6/BE/ABNABE2A/9876\n8/54\n:59A:DEUTDEFF\n",
        encoding="ascii")
    result = read_batch(path)
    assert rows(result, "source_position", "role", "name", "country", "address", "account",
                "bic", "id_number", "id_type") == [
        (1, "originator", "JOHANN WILLEMS", "BE", "RUE JOSEPH II, 19, 1040 BRUSSELS", None,
         None, "121231234342", "national_id"),
        (1, "beneficiary", "JOHANN WILLEMS", None, None, "BE62510007547061", None, None, None),
        (2, "originator", "ANNA SMITH", None, None, "12345678", None, "987654", "customer_id"),
        (2, "beneficiary", None, None, None, None, "DEUTDEFF", None, None),
    ]


def test_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "m.txt"
    path.write_bytes(b"")
    with pytest.raises(InputFormatError, match="empty file"):
        read_batch(path, format="mt103")
    path.write_text("hello world\n", encoding="ascii")
    with pytest.raises(InputFormatError, match="no SWIFT field"):
        read_batch(path, format="mt103")
    path.write_bytes(":20:R1\n:50K:JOS\xc9 N\xda\xd1EZ\n:59:ANN\n".encode("latin-1"))
    result = read_batch(path)
    assert rows(result, "name") == [("JOSÉ NÚÑEZ",), ("ANN",)]
    assert result.warnings == ["file is not valid UTF-8: read as cp1252"]
    path.write_text("{1:F01GEBABEBBAXXX0000000000}{2:I202DEUTDEFFXXXXN}{4:\n:20:A\n:21:B\n"
                    ":58A:DEUTDEFF\n-}", encoding="ascii")
    assert read_batch(path).rejections == [Rejection(1, "block2", "unsupported message type MT202")]


def test_names_running_over_several_lines(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text(
        ":20:L1\n"
        ":50K:/BE71096123456769\nOBSHCHESTVO S OGRANICHENNOI OTVETST\nVENNOSTYU FAM GRUPP\n"
        "UL LENINA 5\nMOSCOW RU\n"
        ":52D:/12345\nJOINT STOCK COMMERCIAL BANK FOR\nFOREIGN TRADE OF VIETNAM\nHANOI VN\n"
        ":59:/DE89370400440532013000\nMOHAMMED ABDULLAH IBRAHIM\nAL-HARAMAIN\nPO BOX 1234\n"
        "RIYADH\n$\n"
        ":20:L2\n:50F:/12345678\n1/TANZIM QA'IDAT AL-JIHAD FI JAZIRA\n1/T AL-ARAB\n"
        "2/STREET 1\n3/YE/SANAA\n"
        ":59:ALI HASSAN\nRIYADH\n",
        encoding="ascii")
    result = read_batch(path)
    assert rows(result, "source_position", "role", "name", "address") == [
        (1, "originator", "OBSHCHESTVO S OGRANICHENNOI OTVETSTVENNOSTYU FAM GRUPP",
         "UL LENINA 5, MOSCOW RU"),
        (1, "ordering_bank", "JOINT STOCK COMMERCIAL BANK FOR FOREIGN TRADE OF VIETNAM",
         "HANOI VN"),
        (1, "beneficiary", "MOHAMMED ABDULLAH IBRAHIM AL-HARAMAIN", "PO BOX 1234, RIYADH"),
        (2, "originator", "TANZIM QA'IDAT AL-JIHAD FI JAZIRAT AL-ARAB", "STREET 1, SANAA"),
        (2, "beneficiary", "ALI HASSAN", "RIYADH"),
    ]
    assert_reconciled(result)


def test_hostile_name_lines(tmp_path: Path) -> None:
    path = tmp_path / "hostile.txt"
    path.write_text(
        ":20:H1\n:50K:" + "\n".join(["Z" * 35] * 40) + "\n:59:/ACC\n   \n\t\n$\n"
        ":20:H2\n:50K:/ONLY-ACCOUNT\n:59:-\n-\nX\n$\n"
        ":20:H3\n:50F:/1\n1/" + "Q" * 2000 + "\n:59:BEN\n",
        encoding="ascii")
    result = read_batch(path)
    # 40 full lines of one endless word make a 1,400-character name, over the 1,000-character
    # limit: that message is rejected with the field at fault and the batch goes on.
    assert [(r.position, r.field) for r in result.rejections] == [
        (1, "originator.name"), (3, "originator.name")]
    assert rows(result, "source_position", "role", "name", "account") == [
        (2, "originator", None, "ONLY-ACCOUNT"),
        (2, "beneficiary", "--X", None),
    ]
    assert_reconciled(result)
