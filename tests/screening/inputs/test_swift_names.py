"""Names that run over several 35-character SWIFT lines."""

from __future__ import annotations

import pytest

from screening.inputs.swift_names import continuation, join_name_lines, split_name

FULL = "OBSHCHESTVO S OGRANICHENNOI OTVETST"  # 35 characters, cut inside a word


def test_full_line_cut_inside_a_word_joins_tight() -> None:
    assert len(FULL) == 35
    assert split_name([FULL, "VENNOSTYU FAM GRUPP", "MOSCOW RU"]) == (
        "OBSHCHESTVO S OGRANICHENNOI OTVETSTVENNOSTYU FAM GRUPP", ["MOSCOW RU"])


def test_full_line_cut_between_words_joins_with_a_space() -> None:
    # A space at column 35, or a continuation line starting with one: the cut was a boundary.
    assert split_name(["ISLAMIC REVOLUTIONARY GUARD CORPS ", "QODS FORCE"])[0] == (
        "ISLAMIC REVOLUTIONARY GUARD CORPS QODS FORCE")
    assert split_name(["ISLAMIC REVOLUTIONARY GUARD CORPS Q", " ODS FORCE"])[0] == (
        "ISLAMIC REVOLUTIONARY GUARD CORPS Q ODS FORCE")


def test_word_wrapped_name_continues_when_the_next_word_did_not_fit() -> None:
    lines = ["MOHAMMED ABDULLAH IBRAHIM", "AL-HARAMAIN", "PO BOX 1234", "RIYADH"]
    assert split_name(lines) == (
        "MOHAMMED ABDULLAH IBRAHIM AL-HARAMAIN", ["PO BOX 1234", "RIYADH"])
    # "RIYADH" would have fitted after a short name: it is the address, not the name.
    assert split_name(["ALI HASSAN", "RIYADH"]) == ("ALI HASSAN", ["RIYADH"])


def test_address_lines_are_never_joined() -> None:
    name = "ABDULRAHMAN MOHAMMED HUSSEIN AL-QA"  # 34 characters
    # A digit (street number, postcode) or a final country code marks an address line.
    assert split_name([name, "STREET 12"])[1] == ["STREET 12"]
    assert split_name([name, "DUBAI AE"])[1] == ["DUBAI AE"]
    assert split_name([FULL, "1000 BRUXELLES"]) == (FULL, ["1000 BRUXELLES"])
    # A two-letter legal form ending a line is not read as a country; alone on its line, a
    # code is the country (a lost legal form weighs nothing in matching).
    assert split_name(["GOLDEN CRESCENT INTERNATIONAL", "SHIPPING CO", "PA"]) == (
        "GOLDEN CRESCENT INTERNATIONAL SHIPPING CO", ["PA"])
    assert split_name(["GOLDEN CRESCENT INTERNATIONAL SHIP", "CO"])[1] == ["CO"]


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("ABU BAKR AL-", "BAGHDADI", "ABU BAKR AL-BAGHDADI"),
        ("JAMAL BIN", "SALEH", "JAMAL BIN SALEH"),
        ("ROSE AND", "CROWN 2 TRADING", "ROSE AND CROWN 2 TRADING"),
    ],
)
def test_a_line_ending_open_always_continues(first: str, second: str, expected: str) -> None:
    assert split_name([first, second, "KABUL"])[0] == expected


def test_numbered_name_lines() -> None:
    assert join_name_lines(["MARIA GARCIA", "LOPEZ"]) == "MARIA GARCIA LOPEZ"
    name = "TANZIM QA'IDAT AL-JIHAD FI JAZIRAT AL-ARAB"
    assert join_name_lines([name[:33], name[33:]]) == name
    assert join_name_lines(["ABU BAKR AL-", "BAGHDADI"]) == "ABU BAKR AL-BAGHDADI"
    assert join_name_lines(["   ", ""]) is None


def test_hostile_lines() -> None:
    assert split_name([]) == (None, [])
    assert split_name(["   ", "\t"]) == (None, [])
    assert continuation("", "X") is None
    assert continuation("NAME", "   ") is None
    # Many full lines of letters: joined, but never more text than was written.
    lines = ["A" * 35] * 50
    name, rest = split_name(lines)
    assert name == "A" * 35 * 50
    assert rest == []
    assert split_name(["-", "-", "X"])[0] == "--X"


def test_full_line_followed_by_a_country_line_or_a_capital() -> None:
    name = "Falcon Crescent Medical Supplies BV"  # 35 characters, word-wrapped exactly
    assert split_name([name, "QA"]) == (name, ["QA"])
    # Mixed case: a lower-case letter before the cut and a capital after it is a word boundary.
    assert split_name(["Barzan Abd al-Ghafur Sualiman Majid", "Al-Tikriti"])[0] == (
        "Barzan Abd al-Ghafur Sualiman Majid Al-Tikriti")
