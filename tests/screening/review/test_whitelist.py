"""Whitelists: second person, expiry, invalidation, identifier matches, suppression reported."""

from __future__ import annotations

from datetime import timedelta

import duckdb
import pytest

from screening.review.alerts import get_alert
from screening.review.db import utcnow
from screening.review.decisions import decide, reopen
from screening.review.errors import (
    ConflictError,
    InvalidTransition,
    PermissionDenied,
    ValidationError,
)
from screening.review.snapshots import on_new_snapshot
from screening.review.users import Principal
from screening.review.whitelist import (
    apply_whitelist,
    approve_entry,
    get_entry,
    invalidate_changed,
    list_entries,
    propose,
    reject_entry,
    revoke_entry,
    suppressed_alerts,
)
from tests.screening.review.helpers import add_alert, entity, load_list

People = dict[str, Principal]


def _cleared_pair(con: duckdb.DuckDBPyConnection, people: People, entity_id: str = "E1",
                  party_key: str = "pk-1") -> int:
    """An alert decided false positive (closed) for the pair; returns the alert id."""
    alert_id = add_alert(con, entity_id=entity_id, party_key=party_key, score=0.8)
    decide(con, alert_id, people["ana"], "false_positive", "FP_DOB_MISMATCH", "born 1990")
    return alert_id


@pytest.fixture
def listed(con: duckdb.DuckDBPyConnection) -> None:
    load_list(con, "un_sc", [entity("E1", "John Doe"), entity("E2", "Omar Roe")])


def test_entry_needs_a_false_positive_and_a_second_person(
    con: duckdb.DuckDBPyConnection, people: People, listed: None
) -> None:
    open_alert = add_alert(con, party_key="pk-9")
    with pytest.raises(InvalidTransition, match="no false-positive decision"):
        propose(con, open_alert, people["ana"], "same customer, other person")
    alert_id = _cleared_pair(con, people)
    entry = propose(con, alert_id, people["ana"], "customer born 1990, listed 1961")
    assert (entry.status, entry.party_key, entry.entity_id, entry.list_id) == (
        "proposed", "pk-1", "E1", "un_sc"
    )
    stored_hash = con.execute(
        "SELECT content_hash FROM entities WHERE entity_id = 'E1'"
    ).fetchone()
    assert stored_hash == (entry.content_hash,)
    assert entry.expires_on == utcnow().date() + timedelta(days=365)
    later = add_alert(con, batch_id="batch-2")
    assert apply_whitelist(con, "batch-2") == 0  # not approved yet
    with pytest.raises(PermissionDenied, match="analyst"):
        approve_entry(con, entry.entry_id, people["bob"])
    with pytest.raises(ConflictError, match="already covers"):
        propose(con, alert_id, people["bob"], "again")
    active = approve_entry(con, entry.entry_id, people["sue"], "checked the file")
    assert (active.status, active.approved_by) == ("active", "sue")
    assert apply_whitelist(con, "batch-2") == 1
    suppressed = get_alert(con, people["ana"], later)
    assert (suppressed.status, suppressed.suppressed_by) == ("suppressed", entry.entry_id)


def test_supervisor_cannot_approve_own_proposal(
    con: duckdb.DuckDBPyConnection, people: People, listed: None
) -> None:
    alert_id = _cleared_pair(con, people)
    entry = propose(con, alert_id, people["sue"], "known customer")
    with pytest.raises(PermissionDenied, match="different supervisor"):
        approve_entry(con, entry.entry_id, people["sue"])
    rejected = reject_entry(con, entry.entry_id, people["sam"], "not enough evidence")
    assert rejected.status == "rejected"
    with pytest.raises(InvalidTransition):
        approve_entry(con, entry.entry_id, people["adm"])


def test_suppression_is_recorded_and_reported_not_dropped(
    con: duckdb.DuckDBPyConnection, people: People, listed: None
) -> None:
    entry = propose(con, _cleared_pair(con, people), people["ana"], "other person")
    approve_entry(con, entry.entry_id, people["sue"])
    same = add_alert(con, batch_id="b2")
    other_party = add_alert(con, batch_id="b2", party_key="pk-2")
    other_entity = add_alert(con, batch_id="b2", entity_id="E2")
    by_identifier = add_alert(con, batch_id="b2", method="identifier", score=1.0)
    decided = add_alert(con, batch_id="b2", status="in_review")
    assert apply_whitelist(con, "b2") == 1
    assert apply_whitelist(con, "b2") == 0  # idempotent
    statuses = dict(con.execute(
        "SELECT alert_id, status FROM alerts WHERE batch_id = 'b2'"
    ).fetchall())
    assert statuses == {same: "suppressed", other_party: "open", other_entity: "open",
                        by_identifier: "open", decided: "in_review"}
    report = suppressed_alerts(con, people["ana"], batch_id="b2")
    assert [(a.alert_id, a.suppressed_by) for a in report] == [(same, entry.entry_id)]
    assert [a.alert_id for a in suppressed_alerts(con, people["ana"])] == [same]
    applied = con.execute(
        "SELECT \"after\"->>'suppressed' FROM audit_log WHERE action = 'whitelist.apply'"
    ).fetchall()
    assert applied == [("1",)]
    reopened = reopen(con, same, people["sue"], "customer data changed")
    assert (reopened.status, reopened.suppressed_by) == ("open", None)


def test_identifier_matches_are_never_whitelisted(
    con: duckdb.DuckDBPyConnection, people: People, listed: None
) -> None:
    alert_id = add_alert(con, method="identifier", score=0.7)
    decide(con, alert_id, people["ana"], "false_positive", "FP_DIFFERENT_ENTITY", "stolen id")
    with pytest.raises(ValidationError, match="never whitelisted"):
        propose(con, alert_id, people["ana"], "other person")


def test_expiry_is_required_bounded_and_enforced(
    con: duckdb.DuckDBPyConnection, people: People, listed: None
) -> None:
    alert_id = _cleared_pair(con, people)
    today = utcnow().date()
    with pytest.raises(ValidationError, match="more than one year"):
        propose(con, alert_id, people["ana"], "x", today + timedelta(days=400))
    with pytest.raises(ValidationError, match="must be after today"):
        propose(con, alert_id, people["ana"], "x", today)
    with pytest.raises(ValidationError, match="comment is required"):
        propose(con, alert_id, people["ana"], "", today + timedelta(days=30))
    entry = propose(con, alert_id, people["ana"], "x", today + timedelta(days=30))
    approve_entry(con, entry.entry_id, people["sue"])
    # Time passes: the entry's expiry date is now behind us.
    con.execute("UPDATE whitelist SET expires_on = ? WHERE entry_id = ?",
                [today - timedelta(days=1), entry.entry_id])
    add_alert(con, batch_id="b3")
    assert apply_whitelist(con, "b3") == 0
    assert get_entry(con, people["ana"], entry.entry_id).effective_status() == "expired"


def test_entries_are_invalidated_when_the_entity_changes_or_leaves(
    con: duckdb.DuckDBPyConnection, people: People, listed: None
) -> None:
    first = propose(con, _cleared_pair(con, people), people["ana"], "other person")
    second = propose(con, _cleared_pair(con, people, "E2", "pk-2"), people["ana"], "other")
    approve_entry(con, first.entry_id, people["sue"])
    approve_entry(con, second.entry_id, people["sue"])
    # Version 2: E1 unchanged, E2 gets a new remark -> only the E2 entry becomes invalid.
    load_list(con, "un_sc", [entity("E1", "John Doe"), entity("E2", "Omar Roe", remarks="new")])
    follow_up = on_new_snapshot(con, "un_sc", rescreen=False)
    assert (follow_up.invalidated, follow_up.rescreen) == (1, None)
    assert get_entry(con, people["ana"], first.entry_id).status == "active"
    changed = get_entry(con, people["ana"], second.entry_id)
    assert (changed.status, changed.invalid_reason) == (
        "invalid", "entity changed in un_sc version 2"
    )
    # Version 3: E1 removed.
    load_list(con, "un_sc", [entity("E2", "Omar Roe", remarks="new")])
    assert invalidate_changed(con, "un_sc") == 1
    removed = get_entry(con, people["ana"], first.entry_id)
    assert removed.invalid_reason == "entity removed from un_sc version 3"
    add_alert(con, batch_id="b4")
    add_alert(con, batch_id="b4", entity_id="E2", party_key="pk-2")
    assert apply_whitelist(con, "b4") == 0
    assert invalidate_changed(con, "un_sc") == 0
    actions = con.execute("SELECT count(*) FROM audit_log WHERE action = 'whitelist.invalidate'"
                          ).fetchone()
    assert actions == (2,)


def test_revoke_and_confidential_entries(
    con: duckdb.DuckDBPyConnection, people: People, listed: None
) -> None:
    load_list(con, "be_secret", [entity("S1", "Jane Roe", "be_secret")], confidential=True)
    secret_alert = add_alert(con, list_id="be_secret", entity_id="S1", score=0.5)
    cleared = Principal("cleo", people["ana"].role, frozenset({"be_secret"}))
    decide(con, secret_alert, cleared, "false_positive", "FP_COMMON_NAME", "no")
    secret = propose(con, secret_alert, cleared, "other person")
    public = propose(con, _cleared_pair(con, people), people["ana"], "other person")
    assert [e.entry_id for e in list_entries(con, people["ana"])] == [public.entry_id]
    assert len(list_entries(con, cleared)) == 2
    with pytest.raises(ValidationError, match="comment is required"):
        revoke_entry(con, public.entry_id, people["sue"], "")
    assert revoke_entry(con, public.entry_id, people["sue"], "customer left").status == "revoked"
    assert secret.list_id == "be_secret"
