"""Canonical CSV / Parquet / JSON lines batches."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import polars as pl
import pytest

from screening.inputs import InputFormatError, Rejection, read_batch
from screening.inputs.tabular import iter_batches, read_tabular
from tests.screening.inputs.helpers import assert_reconciled, rows

HEADER = "transaction_id,originator_name,originator_country,beneficiary_name\n"
EXPECTED_REJECTIONS = [
    Rejection(3, "originator_birth_date", "invalid birth date '1971-02-30'"),
    Rejection(4, "originator_bank_bic", "invalid BIC 'GEBA-BE'"),
    Rejection(5, None, "row has more fields than the header (23)"),
    Rejection(7, "originator_name",
              "row has no party name, account, identifier, BIC or remittance text"),
    Rejection(9, "originator_type", "unknown party type 'robot' (person or organisation)"),
]
COLUMNS = ("source_position", "transaction_id", "role", "name", "schema", "birth_date",
           "country", "address", "account", "bic", "id_number", "id_type", "free_text")
EXPECTED_ROWS = [
    (1, "TX-1", "originator", "Jean-Pierre Dupont", "Person", "1971-05-03", "BE",
     "Rue de la Loi 16, 1000 Bruxelles", "BE71096123456769", None, "71050312345", "other",
     None),
    (1, "TX-1", "beneficiary", "Al-Noor Trading LLC", "Organization", None, "AE",
     "PO Box 1234, Dubai", "0012345678", None, None, None, None),
    (1, "TX-1", "ordering_bank", None, "Organization", None, None, None, None, "GEBABEBB",
     None, None, None),
    (1, "TX-1", "beneficiary_bank", None, "Organization", None, None, None, None,
     "DEUTDEFFXXX", None, None, None),
    (1, "TX-1", "intermediary_bank", None, "Organization", None, None, None, None,
     "CHASUS33", None, None, None),
    (1, "TX-1", "free_text", None, None, None, None, None, None, None, None, None,
     "Invoice 77; on behalf of Abu Bakr"),
    (2, "TX-2", "originator", "Maria Garcia", None, "1980", "ES", None,
     "ES9121000418450200051332", None, None, None, None),
    (2, "TX-2", "beneficiary", "Ivan Petrov", "Person", "1975-11", "RU", None, None, None,
     "P-998877", "other", None),
    (2, "TX-2", "ordering_bank", None, "Organization", None, None, None, None, "CAIXESBB",
     None, None, None),
    (6, "TX-6", "free_text", None, None, None, None, None, None, None, None, None,
     "Cash for Omar Haddad"),
    (8, "TX-8", "originator", "Olga Petrova", None, "1970-05-12", None, None, None, None,
     None, None, None),
    (8, "TX-8", "beneficiary", "Black Sea Shipping Ltd", "Organization", None, "CY", None,
     "CY17002001280000001200527600", None, None, None, None),
]


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_canonical_csv_gives_exact_parties(fixtures: Path) -> None:
    result = read_batch(fixtures / "batch.csv")
    assert result.format == "csv"
    assert result.records_read == 9
    assert result.rejections == EXPECTED_REJECTIONS
    assert rows(result, *COLUMNS) == EXPECTED_ROWS
    assert result.warnings == [
        "ignored columns not in the canonical schema: branch_code",
        "unrecognised country values left empty: 'Narnia'",
    ]
    assert result.sha256 == hashlib.sha256((fixtures / "batch.csv").read_bytes()).hexdigest()
    assert_reconciled(result)


def test_parquet_and_jsonl_give_the_same_parties(fixtures: Path, tmp_path: Path) -> None:
    raw = pl.read_csv(fixtures / "batch.csv", separator=";", infer_schema=False,
                      truncate_ragged_lines=True)
    raw = raw.filter(pl.col("transaction_id") != "TX-5")  # the ragged row is CSV-only
    raw.write_parquet(tmp_path / "batch.parquet")
    raw.write_ndjson(tmp_path / "batch.jsonl")
    for name, fmt in (("batch.parquet", "parquet"), ("batch.jsonl", "jsonl")):
        result = read_batch(tmp_path / name)
        assert result.format == fmt
        assert result.records_read == 8
        # positions shift by one after the removed row 5
        assert [r.position for r in result.rejections] == [3, 4, 6, 8]
        shifted = [(p - 1 if p > 5 else p, *rest) for p, *rest in EXPECTED_ROWS]
        assert rows(result, *COLUMNS) == shifted
        assert_reconciled(result)


def test_jsonl_bad_lines_are_rejected_and_the_rest_kept(tmp_path: Path) -> None:
    path = _write(tmp_path / "b.jsonl", (
        '{"transaction_id": "A", "originator_name": "Ann Lee", "amount": 12.5}\n'
        "\n"
        '{"transaction_id": "B", "originator_name": "Bad\n'
        '[1, 2]\n'
        '{"transaction_id": 7, "beneficiary_name": "Carl Roy"}\n'
    ))
    result = read_batch(path)
    assert result.records_read == 4
    assert [(r.position, r.field) for r in result.rejections] == [(2, None), (3, None)]
    assert "line 3: invalid JSON" in result.rejections[0].reason
    assert result.rejections[1].reason == "line 4: not a JSON object"
    assert rows(result, "source_position", "transaction_id", "role", "name") == [
        (1, "A", "originator", "Ann Lee"), (4, "7", "beneficiary", "Carl Roy"),
    ]
    assert_reconciled(result)


def test_column_mapping_from_dict_and_yaml(tmp_path: Path) -> None:
    path = _write(tmp_path / "bank.csv",
                  "Ref|Payer|Payer DOB|Payee|Payee IBAN\nR1|Ann Lee|1990-01-02|Bo Ek|"
                  "se45 5000 0000 0583 9825 7466\n")
    mapping = {"Ref": "transaction_id", "Payer": "originator_name",
               "Payer DOB": "originator_birth_date", "Payee": "beneficiary_name",
               "Payee IBAN": "beneficiary_account"}
    (tmp_path / "map.yml").write_text(
        "\n".join(f"'{k}': {v}" for k, v in mapping.items()), encoding="utf-8")
    expected = [
        (1, "R1", "originator", "Ann Lee", "1990-01-02", None),
        (1, "R1", "beneficiary", "Bo Ek", None, "SE4550000000058398257466"),
    ]
    for option in (mapping, tmp_path / "map.yml", str(tmp_path / "map.yml")):
        result = read_batch(path, mapping=option)
        assert rows(result, "source_position", "transaction_id", "role", "name",
                    "birth_date", "account") == expected
    with pytest.raises(ValueError, match="unknown columns: payer_name"):
        read_batch(path, mapping={"Payer": "payer_name"})


def test_missing_required_columns_are_named(tmp_path: Path) -> None:
    path = _write(tmp_path / "x.csv", "transaction_id,amount,payer\nT1,10,Ann\n")
    with pytest.raises(InputFormatError) as error:
        read_batch(path)
    message = str(error.value)
    assert "originator_name or beneficiary_name" in message
    assert "'payer'" in message and str(path) in message


def test_empty_and_header_only_files(tmp_path: Path) -> None:
    for content in (b"", b"\xef\xbb\xbf\r\n  \n"):
        path = tmp_path / "empty.csv"
        path.write_bytes(content)
        with pytest.raises(InputFormatError, match="empty file"):
            read_tabular(path, format="csv")
    result = read_batch(_write(tmp_path / "h.csv", HEADER))
    assert (result.records_read, result.parties.height, result.rejections) == (0, 0, [])


def test_cp1252_and_mixed_encodings_keep_every_character(tmp_path: Path) -> None:
    cp1252 = tmp_path / "cp.csv"
    cp1252.write_bytes((HEADER + "T1,Jürgen Müller,Österreich,Zoë Café\n").encode("cp1252"))
    result = read_batch(cp1252)
    assert rows(result, "name", "country") == [("Jürgen Müller", "AT"), ("Zoë Café", None)]
    assert result.warnings == [
        "file is not valid UTF-8: bytes that are not UTF-8 were read as cp1252"]
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes(HEADER.encode() + "T1,José Núñez,ES,Łukasz Żak\n".encode()
                      + "T2,François Pérez,FR,Søren\n".encode("cp1252"))
    result = read_batch(mixed)
    assert rows(result, "name") == [("José Núñez",), ("Łukasz Żak",), ("François Pérez",),
                                    ("Søren",)]
    assert len(result.warnings) == 1
    assert_reconciled(result)


def test_huge_field_rejects_its_row_only(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    path.write_bytes((HEADER + "T1,Ann Lee,BE,Bo Ek\nT2," + "A" * 10_000_000
                      + ",BE,Carl\nT3,Dan Ray,FR,Eve\n").encode())
    started = time.perf_counter()
    result = read_batch(path)
    assert time.perf_counter() - started < 30  # no hang, no quadratic blow-up
    assert result.rejections == [Rejection(
        2, "originator_name", "value of 10000000 characters exceeds the limit of 1000")]
    assert rows(result, "source_position", "name") == [
        (1, "Ann Lee"), (1, "Bo Ek"), (3, "Dan Ray"), (3, "Eve")]


def test_unterminated_quote_is_a_whole_file_error(tmp_path: Path) -> None:
    path = _write(tmp_path / "q.csv", HEADER + 'T1,"Ann Lee,BE,Bo\nT2,Carl,FR,Dan\n')
    with pytest.raises(InputFormatError, match="unreadable csv"):
        read_batch(path)


def test_delimiters_are_sniffed(tmp_path: Path) -> None:
    for delimiter in (",", ";", "\t", "|"):
        text = HEADER.replace(",", delimiter) + delimiter.join(["T1", "Ann", "BE", "Bo"])
        result = read_batch(_write(tmp_path / "d.csv", text + "\n"))
        assert rows(result, "name", "country") == [("Ann", "BE"), ("Bo", None)]


def test_iter_batches_streams_in_chunks_with_global_positions(fixtures: Path) -> None:
    chunks = list(iter_batches(fixtures / "batch.csv", chunk_rows=4))
    assert len(chunks) >= 2
    assert sum(c.records_read for c in chunks) == 9
    for chunk in chunks:
        assert_reconciled(chunk)
    positions = sorted(p for c in chunks for p in c.parties["source_position"].to_list())
    whole = read_batch(fixtures / "batch.csv")
    assert positions == sorted(whole.parties["source_position"].to_list())
    assert [r for c in chunks for r in c.rejections] == EXPECTED_REJECTIONS
