"""Remarks parsing, on clauses copied from the real OFAC files in the shared data folder."""

from __future__ import annotations

import time

import pytest

from lists.model import BirthDate, Identifier, IdKind, Name, NameKind
from lists.ofac_remarks import (
    _ID_LABELS,
    _KIND_BY_LABEL,
    parse_alias,
    parse_dob,
    parse_identifier,
    parse_remarks,
    person_name,
    split_clauses,
)

# sdn_2024-05-03/sdn.csv, ent_num 6939 (SDGT)
AL_AHDAL = (
    "DOB 19 Nov 1971; POB Medina, Saudi Arabia; nationality Yemen; Gender Male; "
    "Passport 541939 (Yemen) issued 31 Jul 2000; National ID No. 216040 (Yemen); "
    "a.k.a. 'AL-MAKKI, Abu Asim'."
)


def test_split_clauses_drops_final_stop_and_tolerates_missing_space() -> None:
    # set_2021-07/sdn.csv: "nationality possibly Palestinian;arrested 23 Apr 2002"
    text = (
        "POB Hashmija, Iraq; nationality possibly Palestinian;arrested 23 Apr 2002; "
        "a.k.a. 'ABU ALI'."
    )
    assert split_clauses(text) == [
        "POB Hashmija, Iraq",
        "nationality possibly Palestinian",
        "arrested 23 Apr 2002",
        "a.k.a. 'ABU ALI'",
    ]
    assert split_clauses("") == []


def test_full_real_remarks_of_an_sdgt_individual() -> None:
    facts = parse_remarks(AL_AHDAL, is_person=True)
    assert facts.birth_dates == [BirthDate("1971-11-19")]
    assert facts.birth_places == ["Medina, Saudi Arabia"]
    assert facts.nationalities == ["YE"]
    assert facts.gender == "male"
    assert facts.identifiers == [
        Identifier(IdKind.PASSPORT, "541939", "YE", "issued 31 Jul 2000", "Passport"),
        Identifier(IdKind.NATIONAL_ID, "216040", "YE", None, "National ID No."),
    ]
    assert facts.names == [
        Name("AL-MAKKI, Abu Asim", NameKind.WEAK_ALIAS, first="Abu", middle="Asim",
             last="AL-MAKKI")
    ]
    assert facts.unknown_countries == []


@pytest.mark.parametrize(
    ("clause", "expected"),
    [
        ("a.k.a. 'BNC'", Name("BNC", NameKind.WEAK_ALIAS)),
        ("f.k.a. 'ANA I'", Name("ANA I", NameKind.FORMER)),
        ("n.k.a. 'NEW NAME LTD'", Name("NEW NAME LTD", NameKind.WEAK_ALIAS)),
        # an apostrophe inside the name survives
        ("a.k.a. 'NU'MAN ALAEDDIN'", Name("NU'MAN ALAEDDIN", NameKind.WEAK_ALIAS)),
        # remarks cut at 1,000 characters without their comments continuation
        ("a.k.a. 'WHOIS HACKIN", Name("WHOIS HACKIN", NameKind.WEAK_ALIAS)),
    ],
)
def test_alias_clauses(clause: str, expected: Name) -> None:
    assert parse_alias(clause, is_person=False) == expected


def test_linked_to_is_not_an_alias() -> None:
    facts = parse_remarks("Linked To: HIZBALLAH; Linked To: LAZARUS GROUP.")
    assert facts.names == []
    assert facts.identifiers == []
    assert parse_alias("Linked To: HIZBALLAH", is_person=False) is None


def test_person_alias_gets_name_parts_but_organisation_alias_does_not() -> None:
    person = parse_remarks("a.k.a. 'ILLIASSOU, Djibbo'.", is_person=True).names[0]
    assert (person.last, person.first, person.middle) == ("ILLIASSOU", "Djibbo", None)
    org = parse_remarks("a.k.a. 'ANGLO-CARIBBEAN CO., LTD.'.", is_person=False).names[0]
    assert org == Name("ANGLO-CARIBBEAN CO., LTD.", NameKind.WEAK_ALIAS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10 Dec 1948", BirthDate("1948-12-10")),
        ("Sep 1958", BirthDate("1958-09")),
        ("1962", BirthDate("1962")),
        ("circa 1951", BirthDate("1951", approximate=True)),
        ("circa 01 Jul 1965", BirthDate("1965-07-01", approximate=True)),
        ("1960 to 1962", BirthDate("1960", until="1962")),
        ("circa 1979-1982", BirthDate("1979", until="1982", approximate=True)),
        # OFAC writes year ranges as day ranges
        ("01 Jan 1973 to 31 Dec 1973", BirthDate("1973")),
        ("01 Jan 1961 to 31 Dec 1963", BirthDate("1961", until="1963")),
        ("01 Feb 1960 to 29 Feb 1960", BirthDate("1960-02")),
        ("26 Sep 1946 to 07 Dec 1946", BirthDate("1946-09-26", until="1946-12-07")),
        ("Mar 1962 to Feb 1963", BirthDate("1962-03", until="1963-02")),
    ],
)
def test_dob_forms_found_in_the_files(text: str, expected: BirthDate) -> None:
    assert parse_dob(text) == expected


def test_unreadable_dob_is_skipped_not_fatal() -> None:
    assert parse_dob("unknown") is None
    assert parse_remarks("DOB unknown; Gender Female.").birth_dates == []


def test_alt_dobs_and_repeats() -> None:
    # set_2021-07 ent_num 6703 repeats its first DOB as an alt. DOB
    facts = parse_remarks("DOB 31 Jul 1964; alt. DOB 31 Jul 1964; alt. DOB 31 Jul 1965.")
    assert facts.birth_dates == [BirthDate("1964-07-31"), BirthDate("1965-07-31")]


@pytest.mark.parametrize(
    ("clause", "kind", "value", "country", "note"),
    [
        ("Passport 1084010 (Egypt)", IdKind.PASSPORT, "1084010", "EG", None),
        ("Passport E590976 (Tunisia) issued 19 Jun 1987 expires 18 Jun 1992", IdKind.PASSPORT,
         "E590976", "TN", "issued 19 Jun 1987 expires 18 Jun 1992"),
        ("Passport C 1415363 - 16/2/1421H issued 21 May 2000", IdKind.PASSPORT,
         "C 1415363 - 16/2/1421H", None, "issued 21 May 2000"),
        ("Passport No.: 0310857, Eritrea, Issue Date 21 August 2006, Expire Date 20 August 2008)",
         IdKind.PASSPORT, "0310857", "ER", "Issue Date 21 August 2006, Expire Date 20 August 2008"),
        ("Diplomatic Passport 008827 (Iran) issued 1999", IdKind.PASSPORT, "008827", "IR",
         "issued 1999"),
        ("National ID No. 660000 73767 (Belgium)", IdKind.NATIONAL_ID, "660000 73767", "BE", None),
        ("National ID No.: 1372584, Kenya", IdKind.NATIONAL_ID, "1372584", "KE", None),
        ("Cedula No. 16247821 (Colombia)", IdKind.NATIONAL_ID, "16247821", "CO", None),
        ("C.U.R.P. AIMM67125HCHRRG06 (Mexico) issued 1968", IdKind.NATIONAL_ID,
         "AIMM67125HCHRRG06", "MX", "issued 1968"),
        ("SSN 523-33-8386 (United States)", IdKind.NATIONAL_ID, "523-33-8386", "US", None),
        ("Tax ID No. 100036386 (Serbia)", IdKind.TAX_ID, "100036386", "RS", None),
        ("NIT # 800146749-7 (Colombia)", IdKind.TAX_ID, "800146749-7", "CO", None),
        ("R.F.C. # PMA-910805 (Mexico)", IdKind.TAX_ID, "PMA-910805", "MX", None),
        ("Registration Number 02696754 (United Kingdom)", IdKind.REGISTRATION, "02696754", "GB",
         None),
        ("Registration Number HRA 738077 (Stuttgart) (Germany)", IdKind.REGISTRATION,
         "HRA 738077", "DE", "Stuttgart"),
        ("Commercial Registry Number 1404087 (Colombia)", IdKind.REGISTRATION, "1404087", "CO",
         None),
        ("Unified Social Credit Code (USCC) 91222401MA0Y31E659 (China)", IdKind.REGISTRATION,
         "91222401MA0Y31E659", "CN", None),
        ("Legal Entity Number 253400WSS48YWMBUA688", IdKind.LEI, "253400WSS48YWMBUA688", None,
         None),
        ("SWIFT/BIC HAVIGB2L", IdKind.BIC, "HAVIGB2L", None, None),
        ("Vessel Registration Identification IMO 9187629", IdKind.IMO, "9187629", None, None),
        ("Identification Number IMO 5342883", IdKind.IMO, "5342883", None, None),
        ("International Maritime Organization No. (5777731)", IdKind.IMO, "5777731", None, None),
        ("MMSI 572469210", IdKind.MMSI, "572469210", None, None),
        ("Other Vessel Call Sign 5IM713", IdKind.CALL_SIGN, "5IM713", None, None),
        ("Email Address Wrfl77@hotmail.com", IdKind.EMAIL, "Wrfl77@hotmail.com", None, None),
        ("Telephone (98)(21)(66153220)", IdKind.PHONE, "(98)(21)(66153220)", None, None),
        ("Phone Number 982188526300", IdKind.PHONE, "982188526300", None, None),
        ("Aircraft Manufacturer's Serial Number (MSN) 1023409321", IdKind.OTHER, "1023409321",
         None, None),
    ],
)
def test_identifier_clauses(
    clause: str, kind: IdKind, value: str, country: str | None, note: str | None
) -> None:
    identifier = parse_identifier(clause)
    assert identifier is not None
    assert (identifier.kind, identifier.value, identifier.country, identifier.note) == (
        kind, value, country, note
    )


def test_every_label_resolves_to_a_specific_kind_where_one_exists() -> None:
    # Labels left to kind_of() must not fall back to OTHER by accident.
    for label, kind in _ID_LABELS.items():
        if kind is None:
            assert _KIND_BY_LABEL[label.casefold()] != IdKind.OTHER, label


@pytest.mark.parametrize(
    ("clause", "coin", "address"),
    [
        ("Digital Currency Address - XBT 12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h", "XBT",
         "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h"),
        ("Digital Currency Address - ETH 0x7F367cC41522cE07553e823bf3be79A889DEbe1B", "ETH",
         "0x7F367cC41522cE07553e823bf3be79A889DEbe1B"),
        ("Digital Currency Address - USDT 0xfec8a60023265364d066a1212fde3930f6ae8da7", "USDT",
         "0xfec8a60023265364d066a1212fde3930f6ae8da7"),
    ],
)
def test_wallet_addresses_keep_their_case(clause: str, coin: str, address: str) -> None:
    assert parse_identifier(clause) == Identifier(
        IdKind.WALLET, address, None, coin, f"Digital Currency Address - {coin}"
    )


@pytest.mark.parametrize(
    "clause",
    [
        "Website http://waatasemu.org.ly",
        "Organization Established Date 17 Dec 2016",
        "Executive Order 13662 Directive Determination - Subject to Directive 2",
        "Aircraft Manufacture Date 1992",
        "Digital Currency Address - XBT",  # cut by the 1,000-character limit
        "Passport",
    ],
)
def test_non_identifier_clauses_give_nothing(clause: str) -> None:
    assert parse_identifier(clause) is None


def test_alt_prefix_is_removed_before_reading_a_clause() -> None:
    facts = parse_remarks(
        "Passport A1 (Iran); alt. Passport A755350 (Saudi Arabia); Alt. Fax: 9221227700019."
    )
    assert [(i.kind, i.value, i.country) for i in facts.identifiers] == [
        (IdKind.PASSPORT, "A1", "IR"),
        (IdKind.PASSPORT, "A755350", "SA"),
        (IdKind.PHONE, "9221227700019", None),
    ]


def test_nationality_citizenship_and_registration_country() -> None:
    facts = parse_remarks(
        "nationality Korea, North; alt. nationality Russia; citizen Mexico; "
        "nationality possibly Palestinian; Nationality of Registration Virgin Islands, British; "
        "citizen Atlantis."
    )
    assert facts.nationalities == ["KP", "RU", "MX", "PS"]
    assert facts.countries == ["VG"]
    assert facts.unknown_countries == ["Atlantis"]


def test_gender_female_and_first_gender_wins() -> None:
    assert parse_remarks("Gender Female.").gender == "female"
    assert parse_remarks("Gender Male; Gender Female").gender == "male"
    assert parse_remarks("Gender Unknown").gender is None


def test_empty_remarks() -> None:
    facts = parse_remarks(None)
    assert facts.names == [] and facts.identifiers == [] and facts.birth_dates == []


@pytest.mark.parametrize(
    ("full", "parts"),
    [
        ("ALLANE, Hacene", ("ALLANE", "Hacene", None)),
        ("CIFUENTES VILLA, Jorge Milton", ("CIFUENTES VILLA", "Jorge", "Milton")),
        ("AL-AHDAL, Mohammad Hamdi Mohammad Sadiq",
         ("AL-AHDAL", "Mohammad", "Hamdi Mohammad Sadiq")),
        ("ABU ALI", (None, None, None)),
        (", Nobody", (None, None, None)),
    ],
)
def test_person_name_parts_keep_full_name_as_written(
    full: str, parts: tuple[str | None, str | None, str | None]
) -> None:
    name = person_name(full)
    assert name.full == full
    assert name.kind == NameKind.PRIMARY
    assert (name.last, name.first, name.middle) == parts


def test_huge_remarks_parse_quickly() -> None:
    # A hostile 5 MB remarks text must not trigger regex backtracking.
    text = "; ".join(["Passport " + "9" * 1000 + " (" * 50] * 1000) + "(" * 100_000
    started = time.perf_counter()
    facts = parse_remarks(text)
    assert time.perf_counter() - started < 2.0
    # 999 equal clauses kept once, and the last one (with the open parentheses) on its own
    assert len(facts.identifiers) == 2
    assert facts.identifiers[0].value.startswith("9" * 1000)
