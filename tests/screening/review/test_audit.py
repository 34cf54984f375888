"""The hash-chained audit log: tamper detection with the exact seq, retention purge, access."""

from __future__ import annotations

import json
from datetime import datetime

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.review import audit
from screening.review.audit import (
    GENESIS_HASH,
    entry_hash,
    purge_expired,
    read_audit,
    record,
    retention_cutoff,
    verify,
)
from screening.review.decisions import decide
from screening.review.errors import ConflictError, PermissionDenied
from screening.review.users import Principal
from tests.screening.review.helpers import add_alert


def _five(con: duckdb.DuckDBPyConnection) -> None:
    for i in range(1, 6):
        record(con, "ana", "test.action", f"thing:{i}", {"n": i - 1}, {"n": i, "note": "é"})


def test_chain_links_every_entry_from_genesis(con: duckdb.DuckDBPyConnection) -> None:
    _five(con)
    rows = con.execute('SELECT seq, "at", prev_hash, hash FROM audit_log ORDER BY seq').fetchall()
    assert [r[0] for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0][2] == GENESIS_HASH
    assert all(rows[i][2] == rows[i - 1][3] for i in range(1, 5))
    expected = entry_hash(GENESIS_HASH, 1, rows[0][1], "ana", "test.action", "thing:1",
                          {"n": 0}, {"n": 1, "note": "é"})
    assert rows[0][3] == expected
    assert verify(con) == audit.VerifyResult(True, 5, None, "5 entries verified, chain intact")


def test_editing_a_row_is_reported_at_its_seq(con: duckdb.DuckDBPyConnection) -> None:
    _five(con)
    con.execute("UPDATE audit_log SET \"after\" = '{\"n\": 99, \"note\": \"é\"}' WHERE seq = 3")
    result = verify(con)
    assert (result.ok, result.first_bad_seq, result.checked) == (False, 3, 2)
    assert "entry 3 was altered" in result.message


def test_recomputing_the_edited_hash_breaks_the_next_link(con: duckdb.DuckDBPyConnection) -> None:
    _five(con)
    row = con.execute('SELECT "at", prev_hash FROM audit_log WHERE seq = 2').fetchone()
    assert row is not None
    forged = entry_hash(row[1], 2, row[0], "mallory", "test.action", "thing:2", {"n": 1},
                        {"n": 2, "note": "é"})
    con.execute("UPDATE audit_log SET actor = 'mallory', hash = ? WHERE seq = 2", [forged])
    result = verify(con)
    assert (result.ok, result.first_bad_seq) == (False, 3)
    assert "does not link" in result.message


def test_deleting_a_row_is_reported(con: duckdb.DuckDBPyConnection) -> None:
    _five(con)
    con.execute("DELETE FROM audit_log WHERE seq = 4")
    result = verify(con)
    assert (result.ok, result.first_bad_seq) == (False, 4)
    assert "entry 4 is missing" in result.message


def test_purge_removes_only_an_old_prefix_and_reanchors(
    con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    moments = iter([datetime(2010, 1, 5), datetime(2011, 3, 1), datetime(2012, 7, 9),
                    datetime(2020, 1, 1), datetime(2012, 8, 1), datetime(2025, 6, 1)])
    monkeypatch.setattr(audit, "utcnow", lambda: next(moments, datetime(2025, 6, 1)))
    _five(con)
    third = con.execute("SELECT hash FROM audit_log WHERE seq = 3").fetchone()
    now = datetime(2025, 6, 1)
    assert retention_cutoff(now) == datetime(2015, 6, 1)
    result = purge_expired(con, now, actor="sue")
    # seq 5 (2012) is older than retention but follows a kept entry: never a hole in the chain.
    assert (result.purged, result.through_seq) == (3, 3)
    assert third == (result.anchor_hash,)
    assert [r[0] for r in con.execute("SELECT seq FROM audit_log ORDER BY seq").fetchall()] == [
        4, 5, 6
    ]
    purge_row = con.execute("SELECT actor, action, \"after\" FROM audit_log WHERE seq = 6"
                            ).fetchone()
    assert purge_row is not None and purge_row[:2] == ("sue", "audit.purge")
    assert json.loads(purge_row[2]) == {"through_seq": 3, "anchor_hash": result.anchor_hash}
    assert verify(con) == audit.VerifyResult(True, 3, None, "3 entries verified, chain intact")
    assert purge_expired(con, now).purged == 0
    assert verify(con).ok


def test_a_forged_anchor_is_detected(
    con: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    moments = iter([datetime(2001, 1, 1)] * 3 + [datetime(2024, 1, 1)] * 3)
    monkeypatch.setattr(audit, "utcnow", lambda: next(moments, datetime(2025, 6, 1)))
    for i in range(4):
        record(con, "ana", "test.action", f"t{i}", None, {"i": i})
    purge_expired(con, datetime(2025, 1, 1), years=10)
    assert verify(con).ok
    # Hiding more history: delete entry 4 and move the anchor forward with its hash.
    row = con.execute("SELECT hash FROM audit_log WHERE seq = 4").fetchone()
    assert row is not None
    con.execute("DELETE FROM audit_log WHERE seq = 4")
    con.execute("UPDATE audit_anchor SET anchor_seq = 4, anchor_hash = ?", [row[0]])
    result = verify(con)
    assert (result.ok, result.first_bad_seq) == (False, 5)
    assert "not confirmed by a purge entry" in result.message


def test_retention_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCREENING_AUDIT_RETENTION_YEARS", "5")
    assert retention_cutoff(datetime(2024, 2, 29, 12)) == datetime(2019, 2, 28, 12)


def test_failed_actions_leave_no_audit_entry(
    con: duckdb.DuckDBPyConnection, people: dict[str, Principal]
) -> None:
    alert_id = add_alert(con)
    decide(con, alert_id, people["ana"], "escalate", "ESC_NEED_INFO", "ask")
    before = con.execute("SELECT count(*) FROM audit_log").fetchone()
    with pytest.raises(ConflictError):
        decide(con, alert_id, people["sue"], "true_match", "TM_CONFIRMED", "yes",
               expected_version=0)
    assert con.execute("SELECT count(*) FROM audit_log").fetchone() == before
    assert verify(con).ok


def test_reading_the_audit_log_needs_a_supervisor(
    con: duckdb.DuckDBPyConnection, people: dict[str, Principal]
) -> None:
    _five(con)
    with pytest.raises(PermissionDenied):
        read_audit(con, people["ana"])
    newest = read_audit(con, people["sue"], limit=2)
    assert [e.seq for e in newest] == [5, 4]
    assert newest[0].after == {"n": 5, "note": "é"}
    assert [e.target for e in read_audit(con, people["sue"], target="thing:2")] == ["thing:2"]
    assert len(read_audit(con, people["sue"], action="test.")) == 5


def test_review_settings_and_readme_agree() -> None:
    import re

    from screening import settings
    from tests.conftest import REPO_ROOT

    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    table = dict(re.findall(r"^\| `(SCREENING_[A-Z_]+)` \| `([^`]*)` \|", readme, flags=re.M))
    defaults = {s.name: s.default for s in settings.SETTINGS}
    for name in ("SCREENING_FOUR_EYES_SCORE", "SCREENING_AUDIT_RETENTION_YEARS"):
        assert table[name] == defaults[name]
    assert (settings.four_eyes_score(), settings.audit_retention_years()) == (0.9, 10)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(before=_JSON, after=_JSON, actor=st.text(), target=st.none() | st.text(),
       seq=st.integers(min_value=1))
def test_entry_body_is_the_canonical_json_of_the_whole_entry(
    before: object, after: object, actor: str, target: str | None, seq: int
) -> None:
    """chain() hashes a body built from before/after serialised once: the same text as the
    canonical JSON of the whole entry, which verify() recomputes."""
    at = datetime(2026, 11, 27, 6, 30, 1, 123456)
    whole = audit.canonical({"seq": seq, "at": at.isoformat(), "actor": actor,
                             "action": "screening", "target": target, "before": before,
                             "after": after})
    assert audit.entry_body(seq, at, actor, "screening", target, audit.canonical(before),
                            audit.canonical(after)) == whole
