"""OFAC legacy CSV loader on the real files, plus malformed and hostile inputs.

Expected counts were taken independently from the files with the csv module and grep:
set_2021-07: sdn.csv 8,976 rows (individual 4,620; -0- 3,673; vessel 406; aircraft 277);
alt.csv 11,910 rows (aka 11,523; fka 369; nka 18), of which 4 repeat the entry's primary name
and 2 repeat another alias of the same entry (kept once); remarks + sdn_comments hold 2,417
"a.k.a. '...'" (weak) and 24 "f.k.a. '...'" clauses; add.csv 13,837 rows of which 2,397 are all
null, leaving 11,440 addresses on 6,579 entries; 5,125 DOB clauses, one a repeat (ent_num 6703).
"""

from __future__ import annotations

import random
import time
from collections import Counter
from pathlib import Path

import pytest

from lists.errors import ListFormatError
from lists.model import BirthDate, Entity, Identifier, IdKind, NameKind, Schema
from lists.ofac_csv import SPEC, load, sniff

SNIFF_BYTES = 64 * 1024
CRLF = "\r\n"
PRIMARY_ROW = (
    '{n},"DOE, John","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
    '"DOB 1960; nationality Iraq."'
)


def _ofac(root: Path) -> Path:
    return root / "ofac"


def _by_id(entities: list[Entity]) -> dict[str, Entity]:
    return {entity.entity_id: entity for entity in entities}


def _write(path: Path, rows: list[str], *, eof: bool = True, encoding: str = "utf-8") -> Path:
    data = CRLF.join(rows) + CRLF + ("\x1a" if eof else "")
    path.write_bytes(data.encode(encoding))
    return path


def _kinds(entities: list[Entity]) -> Counter[str]:
    return Counter(name.kind.value for entity in entities for name in entity.names)


# --- real files ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sdn_2021(shared_data: Path) -> list[Entity]:
    parsed = load(sorted((_ofac(shared_data) / "set_2021-07").glob("*.csv")))
    assert parsed.list_id == "us_ofac_sdn"
    assert parsed.format == "ofac_csv"
    assert parsed.published is None
    # a coherent set: no orphan companion rows, no cut remarks left
    assert not [w for w in parsed.warnings if "skipped" in w or "cut at" in w]
    return parsed.entities


def test_sdn_2021_counts(sdn_2021: list[Entity]) -> None:
    assert len(sdn_2021) == 8976
    assert Counter(e.schema for e in sdn_2021) == {
        Schema.PERSON: 4620, Schema.ORGANIZATION: 3673, Schema.VESSEL: 406, Schema.AIRCRAFT: 277,
    }
    assert _kinds(sdn_2021) == {
        "primary": 8976,
        "alias": 11523 + 18 - 6,  # aka + nka, less the 6 repeats
        "former": 369 + 24,  # fka rows + f.k.a. in remarks
        "weak_alias": 2417,
    }
    assert sum(len(e.addresses) for e in sdn_2021) == 11440
    assert sum(1 for e in sdn_2021 if e.addresses) == 6579
    assert sum(len(e.birth_dates) for e in sdn_2021) == 5124
    assert sum(1 for e in sdn_2021 if "SDGT" in e.programs) == 1709
    wallets = [i for e in sdn_2021 for i in e.identifiers if i.kind == IdKind.WALLET]
    assert len(wallets) == 97  # grep -o "Digital Currency Address - " over sdn + comments
    call_signs = [i for e in sdn_2021 for i in e.identifiers if i.kind == IdKind.CALL_SIGN]
    assert len(call_signs) == 70 + 1  # Call_Sign column + one "Other Vessel Call Sign"
    assert all(e.source_url and e.source_url.endswith(f"id={e.entity_id}") for e in sdn_2021)


def test_sdn_2021_person_with_strong_and_weak_aliases(sdn_2021: list[Entity]) -> None:
    # The dat_spec's own example of weak aliases.
    allane = _by_id(sdn_2021)["8219"]
    assert allane.schema == Schema.PERSON
    assert allane.programs == ["SDGT"]
    assert [(n.full, n.kind) for n in allane.names] == [
        ("ALLANE, Hacene", NameKind.PRIMARY),
        ("ABDELHAY, al-Sheikh", NameKind.ALIAS),
        ("AHCENE, Cheib", NameKind.ALIAS),
        ("ABU AL-FOUTOUH", NameKind.WEAK_ALIAS),
        ("BOULAHIA", NameKind.WEAK_ALIAS),
        ("HASSAN THE OLD", NameKind.WEAK_ALIAS),
    ]
    primary = allane.names[0]
    assert (primary.last, primary.first, primary.middle) == ("ALLANE", "Hacene", None)
    assert allane.birth_dates == [BirthDate("1941-01-17")]
    assert allane.birth_places == ["El Menea, Algeria"]
    assert allane.remarks == (
        "DOB 17 Jan 1941; POB El Menea, Algeria; a.k.a. 'ABU AL-FOUTOUH'; a.k.a. 'BOULAHIA'; "
        "a.k.a. 'HASSAN THE OLD'."
    )


def test_sdn_2021_addresses_give_countries(sdn_2021: list[Entity]) -> None:
    bnc = _by_id(sdn_2021)["306"]
    assert bnc.schema == Schema.ORGANIZATION
    assert [(a.text, a.city, a.country) for a in bnc.addresses] == [
        ("Zweierstrasse 35", "Zurich CH-8022", "CH"),
        ("Avenida de Concha Espina 8", "Madrid E-28036", "ES"),
        ("Dai-Ichi Bldg. 6th Floor, 10-2 Nihombashi, 2-chome, Chuo-ku", "Tokyo 103", "JP"),
        ("Federico Boyd Avenue & 51 Street", "Panama City", "PA"),
    ]
    assert bnc.countries == ["CH", "ES", "JP", "PA"]
    assert [(n.full, n.kind) for n in bnc.names] == [
        ("BANCO NACIONAL DE CUBA", NameKind.PRIMARY),
        ("NATIONAL BANK OF CUBA", NameKind.ALIAS),
        ("BNC", NameKind.WEAK_ALIAS),
    ]


def test_sdn_2021_comments_continue_the_remarks(sdn_2021: list[Entity]) -> None:
    entities = _by_id(sdn_2021)
    # ent_num 28263: "a.k.a. 'snowsjo" + "hn'; Linked To: LAZARUS GROUP."
    tian = entities["28263"]
    assert tian.remarks is not None and len(tian.remarks) == 1000 + 30
    assert tian.remarks.endswith("a.k.a. 'snowsjohn'; Linked To: LAZARUS GROUP.")
    assert ("snowsjohn", NameKind.WEAK_ALIAS) in [(n.full, n.kind) for n in tian.names]
    assert "LAZARUS GROUP" not in [n.full for n in tian.names]
    assert tian.nationalities == ["CN"]
    assert tian.gender == "male"
    assert Identifier(IdKind.NATIONAL_ID, "321284198607120616", "CN", None,
                      "Identification Number") in tian.identifiers
    # ent_num 29703: "...Digital Currency Addres" + "s - ETH 0x8576acc5..."
    andreyev = entities["29703"]
    wallets = [(i.note, i.value) for i in andreyev.identifiers if i.kind == IdKind.WALLET]
    assert ("ETH", "0x8576acc5c05d6ce88f4e49bf65bdf0c62f91353c") in wallets
    assert len(wallets) == 17


@pytest.fixture(scope="module")
def sdn_2024(shared_data: Path) -> list[Entity]:
    started = time.perf_counter()
    parsed = load([_ofac(shared_data) / "sdn_2024-05-03" / "sdn.csv"])
    # well under a second on a quiet machine; generous for a busy CI box
    assert time.perf_counter() - started < 5.0
    assert parsed.list_id == "us_ofac_sdn"
    cut = [w for w in parsed.warnings if "cut at 1000 characters" in w]
    assert len(cut) == 1 and cut[0].startswith("18 entries")
    return parsed.entities


def test_sdn_2024_alone_counts(sdn_2024: list[Entity]) -> None:
    assert len(sdn_2024) == 14965
    assert Counter(e.schema for e in sdn_2024) == {
        Schema.PERSON: 6854, Schema.ORGANIZATION: 6884, Schema.VESSEL: 851, Schema.AIRCRAFT: 376,
    }
    # no alt.csv given: only remarks aliases (3,578 a.k.a. + 1 n.k.a. weak; 87 f.k.a.)
    assert _kinds(sdn_2024) == {"primary": 14965, "weak_alias": 3579, "former": 87}
    assert sum(1 for e in sdn_2024 if "SDGT" in e.programs) == 2386
    assert all(not e.addresses for e in sdn_2024)
    wallets = [i for e in sdn_2024 for i in e.identifiers if i.kind == IdKind.WALLET]
    assert len(wallets) == 295 - 1  # one address is cut by the 1,000-character limit
    call_signs = [i for e in sdn_2024 for i in e.identifiers if i.kind == IdKind.CALL_SIGN]
    assert len(call_signs) == 251 + 2  # Call_Sign column + "Other Vessel Call Sign"


def test_sdn_2024_sdgt_individual_field_by_field(sdn_2024: list[Entity]) -> None:
    person = _by_id(sdn_2024)["6939"]
    assert person.schema == Schema.PERSON
    assert person.list_id == "us_ofac_sdn"
    assert person.programs == ["SDGT"]
    assert [(n.full, n.kind, n.last, n.first) for n in person.names] == [
        ("AL-AHDAL, Mohammad Hamdi Mohammad Sadiq", NameKind.PRIMARY, "AL-AHDAL", "Mohammad"),
        ("AL-MAKKI, Abu Asim", NameKind.WEAK_ALIAS, "AL-MAKKI", "Abu"),
    ]
    assert person.birth_dates == [BirthDate("1971-11-19")]
    assert person.birth_places == ["Medina, Saudi Arabia"]
    assert person.nationalities == ["YE"]
    assert person.gender == "male"
    assert person.identifiers == [
        Identifier(IdKind.PASSPORT, "541939", "YE", "issued 31 Jul 2000", "Passport"),
        Identifier(IdKind.NATIONAL_ID, "216040", "YE", None, "National ID No."),
    ]
    assert person.source_url == "https://sanctionssearch.ofac.treas.gov/Details.aspx?id=6939"


def test_sdn_2024_vessel_with_imo(sdn_2024: list[Entity]) -> None:
    vessel = _by_id(sdn_2024)["15036"]
    assert vessel.schema == Schema.VESSEL
    assert vessel.caption == "ARTAVIL"
    assert vessel.programs == ["IRAN"]
    assert vessel.countries == ["IR"]  # Vess_flag; former flags are not current countries
    assert [(i.kind, i.value) for i in vessel.identifiers] == [
        (IdKind.CALL_SIGN, "T2EU4"), (IdKind.IMO, "9187629"), (IdKind.MMSI, "572469210"),
    ]
    assert [(n.full, n.kind) for n in vessel.names] == [
        ("ARTAVIL", NameKind.PRIMARY), ("ALPHA", NameKind.FORMER),
    ]
    assert vessel.remarks is not None
    assert vessel.remarks.endswith(
        "Linked To: NATIONAL IRANIAN TANKER COMPANY. "
        "Vessel type: Crude/Oil Products Tanker; Tonnage: 99,144; GRT: 56,068"
    )


def test_sdn_2024_vessel_owner_and_title_go_to_remarks(sdn_2024: list[Entity]) -> None:
    entities = _by_id(sdn_2024)
    tug = entities["4238"]
    assert tug.remarks == "Vessel type: Tug; GRT: 212; Vessel owner: Samir de Navegacion S.A."
    assert [n.full for n in tug.names] == ["MAR AZUL"]
    abbas = entities["2674"]
    assert abbas.caption == "ABBAS, Abu"
    assert abbas.remarks is not None
    assert abbas.remarks.endswith(
        "FACTION. Title: Director of PALESTINE LIBERATION FRONT - ABU ABBAS FACTION"
    )


def test_sdn_2024_digital_currency_entity(sdn_2024: list[Entity]) -> None:
    lazarus = _by_id(sdn_2024)["27307"]
    assert lazarus.schema == Schema.ORGANIZATION
    assert lazarus.programs == ["DPRK3"]
    wallets = [i for i in lazarus.identifiers if i.kind == IdKind.WALLET]
    assert len(wallets) == 8
    assert wallets[0] == Identifier(
        IdKind.WALLET, "0x098B716B8Aaf21512996dC57EB0615e2383E2f96", None, "ETH",
        "Digital Currency Address - ETH",
    )
    assert [n.full for n in lazarus.names if n.kind == NameKind.WEAK_ALIAS][:4] == [
        "HIDDEN COBRA", "OFFICE 91", "GUARDIANS OF PEACE", "THE NEW ROMANTIC CYBER ARMY TEAM",
    ]


def test_multi_program_cell(sdn_2024: list[Entity]) -> None:
    programs = Counter(len(e.programs) for e in sdn_2024)
    assert programs[0] == 0
    assert all("]" not in p and "[" not in p for e in sdn_2024 for p in e.programs)


@pytest.fixture(scope="module")
def cons_2025(shared_data: Path) -> list[Entity]:
    parsed = load(sorted((_ofac(shared_data) / "consolidated_2025-12").glob("*.csv")))
    assert parsed.list_id == "us_ofac_cons"
    assert parsed.warnings == []
    return parsed.entities


def test_consolidated_counts(cons_2025: list[Entity]) -> None:
    # cons_prim 442 rows (individual 79, -0- 363); cons_alt 1,073 (aka 932, fka 141; 2 aka
    # repeat the primary name); remarks: 69 a.k.a., 3 f.k.a.; cons_add 574 rows, 52 all null.
    assert len(cons_2025) == 442
    assert Counter(e.schema for e in cons_2025) == {Schema.PERSON: 79, Schema.ORGANIZATION: 363}
    assert _kinds(cons_2025) == {
        "primary": 442, "alias": 930, "former": 141 + 3, "weak_alias": 69,
    }
    assert sum(len(e.addresses) for e in cons_2025) == 522
    assert sum(1 for e in cons_2025 if e.addresses) == 390
    assert all(e.list_id == "us_ofac_cons" for e in cons_2025)


def test_consolidated_entities(cons_2025: list[Entity]) -> None:
    entities = _by_id(cons_2025)
    haniya = entities["9639"]
    assert haniya.programs == ["NS-PLC"]
    assert [(n.full, n.kind) for n in haniya.names] == [
        ("HANIYA, Ismail Abdul Salah", NameKind.PRIMARY),
        ("HANIYA, Ismail", NameKind.ALIAS),
        ("HANIYYA, Ismaeel", NameKind.ALIAS),
    ]
    assert haniya.birth_dates == [BirthDate("1962")]
    assert haniya.birth_places == ["Shati"]
    assert haniya.addresses == []  # its only cons_add row is all null
    bank = entities["17016"]
    assert bank.programs == ["UKRAINE-EO13662", "RUSSIA-EO14024"]
    # The tax, LEI and registration numbers are only in cons_comments.csv.
    assert [(i.kind, i.value, i.country) for i in bank.identifiers] == [
        (IdKind.BIC, "GAZPRUMM", None),
        (IdKind.TAX_ID, "7744001497", "RU"),
        (IdKind.LEI, "253400WSS48YWMBUA688", None),
        (IdKind.REGISTRATION, "1027700167110", "RU"),
    ]
    assert bank.countries == ["RU", "MN", "KZ", "IN", "CN"]


def test_companions_without_their_primary_are_refused(shared_data: Path) -> None:
    partial = sorted((_ofac(shared_data) / "partial_2025-12").glob("*.csv"))
    with pytest.raises(ListFormatError, match="no primary file"):
        load(partial)


def test_sniff_claims_every_ofac_csv_and_nothing_else(shared_data: Path) -> None:
    claimed = {
        str(path.relative_to(shared_data))
        for path in sorted(shared_data.rglob("*"))
        if path.is_file() and sniff(path, path.read_bytes()[:SNIFF_BYTES])
    }
    assert claimed == {
        "ofac/consolidated_2025-12/cons_add.csv",
        "ofac/consolidated_2025-12/cons_alt.csv",
        "ofac/consolidated_2025-12/cons_comments.csv",
        "ofac/consolidated_2025-12/cons_prim.csv",
        "ofac/partial_2025-12/add.csv",
        "ofac/partial_2025-12/alt.csv",
        "ofac/partial_2025-12/sdn_comments.csv",
        "ofac/sdn_2024-05-03/sdn.csv",
        "ofac/set_2021-07/add.csv",
        "ofac/set_2021-07/alt.csv",
        "ofac/set_2021-07/sdn.csv",
        "ofac/set_2021-07/sdn_comments.csv",
    }


def test_spec() -> None:
    assert SPEC.name == "ofac_csv"
    assert SPEC.multi_file is True
    assert SPEC.default_list_id == "us_ofac_sdn"


# --- hand-made inputs ----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("first_line", "name"),
    [
        ("ent_num,SDN_Name,SDN_Type,Program,Title,Call_Sign,Vess_type,Tonnage,GRT,Vess_flag,"
         "Vess_owner,Remarks", "sdn.csv"),  # a header row: not OFAC's legacy file
        ('1,"ACME",-0- ,"SDGT"', "sdn.csv"),  # too few columns
        ('1,"ACME","company","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ', "sdn.csv"),
        ('1,"ACME","individual","SDGT","","","","","","","",""', "sdn.csv"),  # no -0- marker
        ('12,"some text"', "notes.csv"),  # two columns, not named comments
        ('1,2,"aka","NAME",""', "alt.csv"),
        ("id,schema,name,aliases,birth_date", "targets.simple.csv"),
    ],
)
def test_sniff_rejects_lookalikes(tmp_path: Path, first_line: str, name: str) -> None:
    path = _write(tmp_path / name, [first_line])
    assert not sniff(path, path.read_bytes())


def test_sniff_accepts_a_cut_window(tmp_path: Path) -> None:
    rows = [PRIMARY_ROW.format(n=n) for n in range(1, 5000)]
    path = _write(tmp_path / "sdn.csv", rows)
    head = path.read_bytes()[:SNIFF_BYTES]
    assert sniff(path, head)


def test_renamed_files_are_recognised_by_column_count(tmp_path: Path) -> None:
    primary = _write(tmp_path / "upload-1.csv", [PRIMARY_ROW.format(n=7)])
    alias = _write(tmp_path / "upload-2.csv", ['7,1,"aka","DOE, Johnny",-0- '])
    parsed = load([primary, alias], "my_list")
    assert parsed.list_id == "my_list"
    (entity,) = parsed.entities
    assert [(n.full, n.kind, n.last) for n in entity.names] == [
        ("DOE, John", NameKind.PRIMARY, "DOE"), ("DOE, Johnny", NameKind.ALIAS, "DOE"),
    ]
    assert entity.nationalities == ["IQ"]


def test_orphan_companion_rows_are_skipped_with_a_warning(tmp_path: Path) -> None:
    primary = _write(tmp_path / "sdn.csv", [PRIMARY_ROW.format(n=1)])
    alias = _write(tmp_path / "alt.csv", [
        '1,10,"aka","DOE, J.",-0- ', '2,11,"aka","X",-0- ', '3,12,"fka","Y",-0- ',
    ])
    address = _write(tmp_path / "add.csv", ['5,20,-0- ,"Paris","France",-0- '])
    comments = _write(tmp_path / "sdn_comments.csv", ['9,"continued."'])
    parsed = load([primary, alias, address, comments])
    assert len(parsed.entities) == 1
    assert [n.full for n in parsed.entities[0].names] == ["DOE, John", "DOE, J."]
    assert parsed.entities[0].addresses == []
    assert parsed.warnings == [
        "sdn_comments.csv: 1 rows skipped, their ent_num is not in the primary file (e.g. 9)",
        "alt.csv: 2 rows skipped, their ent_num is not in the primary file (e.g. 2, 3)",
        "add.csv: 1 rows skipped, their ent_num is not in the primary file (e.g. 5)",
    ]


def test_unknown_values_are_kept_and_reported(tmp_path: Path) -> None:
    primary = _write(tmp_path / "cons_prim.csv", [
        '1,"ACME",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,"Atlantis",-0- ,-0- ',
        '2,"THING","spaceship","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ',
    ])
    alias = _write(tmp_path / "cons_alt.csv", ['1,1,"xka","ACME CORP",-0- '])
    address = _write(tmp_path / "cons_add.csv", ['1,2,"1 Main St","Springfield","Atlantis",-0- '])
    parsed = load([primary, alias, address])
    assert parsed.list_id == "us_ofac_cons"
    acme, thing = parsed.entities
    assert thing.schema == Schema.ORGANIZATION
    assert acme.countries == []
    # the unmapped country stays readable on the address
    assert [(a.text, a.city, a.country) for a in acme.addresses] == [
        ("1 Main St", "Springfield, Atlantis", None)
    ]
    assert [(n.full, n.kind) for n in acme.names][1] == ("ACME CORP", NameKind.ALIAS)
    assert parsed.warnings == [
        "cons_alt.csv: 1 aliases of unknown type 'xka' read as aka",
        "2 country names not recognised (1 distinct): Atlantis",
        "1 records with unknown type 'spaceship'",
    ]


def test_lf_endings_and_no_eof_byte_still_load(tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    path.write_bytes((PRIMARY_ROW.format(n=1) + "\n" + PRIMARY_ROW.format(n=2)).encode())
    assert [e.entity_id for e in load([path]).entities] == ["1", "2"]


def test_cp1252_file_is_read_with_a_warning(tmp_path: Path) -> None:
    row = '5,"MUÑOZ, José",-0- ,"SDNTK",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"POB Bogotá, Colombia."'
    path = _write(tmp_path / "sdn.csv", [row], encoding="cp1252")
    parsed = load([path])
    (entity,) = parsed.entities
    assert entity.caption == "MUÑOZ, José"
    assert entity.birth_places == ["Bogotá, Colombia"]
    assert parsed.warnings == ["sdn.csv: not valid UTF-8, read as cp1252"]


# --- malformed and hostile inputs ----------------------------------------------------------

def _error(paths: list[Path]) -> ListFormatError:
    with pytest.raises(ListFormatError) as caught:
        load(paths)
    return caught.value


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    path.write_bytes(b"")
    error = _error([path])
    assert error.path == str(path)
    assert "empty" in str(error)


def test_file_with_only_the_eof_byte(tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    path.write_bytes(b"\r\n\x1a")
    assert "empty" in str(_error([path]))


def test_truncated_real_file_names_the_line(shared_data: Path, tmp_path: Path) -> None:
    data = (_ofac(shared_data) / "set_2021-07" / "sdn.csv").read_bytes()
    cut = data.index(b"\r\n", 100_000) + 30  # 30 bytes into the next row
    path = tmp_path / "sdn.csv"
    path.write_bytes(data[:cut])
    lines = data[:cut].count(b"\r\n") + 1
    error = _error([path])
    assert error.path == str(path)
    assert error.record == f"line {lines}"


def test_truncated_inside_a_quoted_field(tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    path.write_bytes((PRIMARY_ROW.format(n=1) + CRLF + '2,"DOE, Ja').encode())
    error = _error([path])
    assert error.record == "line 2"
    assert "sdn.csv" in str(error)


def test_wrong_column_count(tmp_path: Path) -> None:
    path = _write(tmp_path / "sdn.csv", [
        PRIMARY_ROW.format(n=1), PRIMARY_ROW.format(n=2), '3,"DOE, Jim",-0- ,"SDGT"',
    ])
    error = _error([path])
    assert error.record == "line 3"
    assert "expected 12 columns" in str(error) and "found 4" in str(error)


def test_wrong_column_count_in_a_companion(tmp_path: Path) -> None:
    primary = _write(tmp_path / "sdn.csv", [PRIMARY_ROW.format(n=1)])
    alias = _write(tmp_path / "alt.csv", ['1,10,"aka","DOE, J.",-0- ', '1,11,"aka"'])
    error = _error([primary, alias])
    assert error.path == str(alias)
    assert error.record == "line 2"


def test_non_numeric_ent_num(tmp_path: Path) -> None:
    path = _write(tmp_path / "sdn.csv", [PRIMARY_ROW.format(n=1), PRIMARY_ROW.format(n="X12")])
    error = _error([path])
    assert error.record == "line 2"
    assert "'X12' is not a number" in str(error)


def test_duplicate_ent_num_and_missing_name(tmp_path: Path) -> None:
    path = _write(tmp_path / "sdn.csv", [PRIMARY_ROW.format(n=1), PRIMARY_ROW.format(n=1)])
    assert "duplicate ent_num 1" in str(_error([path]))
    nameless = _write(tmp_path / "cons_prim.csv", [
        '4,-0- ,-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ',
    ])
    assert "entry 4 has no name" in str(_error([nameless]))


def test_two_primaries_in_one_group(shared_data: Path) -> None:
    error = _error([
        _ofac(shared_data) / "sdn_2024-05-03" / "sdn.csv",
        _ofac(shared_data) / "consolidated_2025-12" / "cons_prim.csv",
    ])
    assert "several primary files" in str(error)


def test_binary_garbage(tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    path.write_bytes(random.Random(20240503).randbytes(64 * 1024))
    assert not sniff(path, path.read_bytes()[:SNIFF_BYTES])
    error = _error([path])
    assert error.path == str(path)


def test_nul_bytes(tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    path.write_bytes(PRIMARY_ROW.format(n=1).encode() + b"\r\n1\x00\x00\x00,\x00\r\n")
    assert _error([path]).record == "line 2"


def test_huge_single_field_fails_cleanly_and_fast(tmp_path: Path) -> None:
    remarks = "DOB 1960; " + "x" * (5 * 1024 * 1024)
    row = f'1,"DOE, John",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"{remarks}"'
    path = _write(tmp_path / "sdn.csv", [row])
    started = time.perf_counter()
    error = _error([path])
    assert time.perf_counter() - started < 5.0
    assert error.record == "line 1"
    assert "field larger than field limit" in str(error)
