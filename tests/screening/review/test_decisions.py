"""The review state machine: four-eyes, supervisor-only approval, conflicts, durability."""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb
import pytest

from screening.review import decisions
from screening.review.alerts import (
    AlertFilter,
    count_alerts,
    export_alerts,
    get_alert,
    history,
    list_alerts,
    status_counts,
)
from screening.review.audit import read_audit
from screening.review.decisions import approve, claim, decide, pending_approvals, reopen
from screening.review.errors import (
    ConflictError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationError,
)
from screening.review.users import Principal, Role
from screening.review.vocabulary import Outcome
from tests.screening.review.helpers import add_alert, entity, load_list

People = dict[str, Principal]


def test_false_positive_below_the_level_closes_directly(
    con: duckdb.DuckDBPyConnection, people: People
) -> None:
    alert_id = add_alert(con, score=0.85)
    result = decide(con, alert_id, people["ana"], "false_positive", "FP_DOB_MISMATCH",
                    "born 1990, listed 1961")
    assert (result.previous_status, result.new_status, result.row_version) == ("open", "closed", 1)
    alert = get_alert(con, people["ana"], alert_id)
    assert (alert.status, alert.outcome, alert.decided_by) == ("closed", "false_positive", "ana")
    stored = con.execute("SELECT actor, outcome, reason_code, comment, previous_status, "
                         "new_status FROM decisions").fetchall()
    assert stored == [("ana", "false_positive", "FP_DOB_MISMATCH", "born 1990, listed 1961",
                       "open", "closed")]
    audit = con.execute("SELECT actor, action, target FROM audit_log WHERE action LIKE 'alert%'"
                        ).fetchall()
    assert audit == [("ana", "alert.decide", f"alert:{alert_id}")]


@pytest.mark.parametrize(
    ("score", "outcome", "reason", "status"),
    [
        (0.8999, "false_positive", "FP_COMMON_NAME", "closed"),
        (0.9, "false_positive", "FP_COMMON_NAME", "pending_approval"),
        (0.97, "false_positive", "FP_NATIONALITY", "pending_approval"),
        (0.71, "true_match", "TM_CONFIRMED", "pending_approval"),
        (0.71, "escalate", "ESC_NEED_INFO", "escalated"),
    ],
)
def test_four_eyes_rule(
    con: duckdb.DuckDBPyConnection, people: People, score: float, outcome: str, reason: str,
    status: str,
) -> None:
    alert_id = add_alert(con, score=score)
    assert decide(con, alert_id, people["ana"], outcome, reason, "checked").new_status == status


def test_four_eyes_level_comes_from_the_setting(
    con: duckdb.DuckDBPyConnection, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCREENING_FOUR_EYES_SCORE", "0.8")
    alert_id = add_alert(con, score=0.85)
    result = decide(con, alert_id, people["ana"], "false_positive", "FP_COMMON_NAME", "checked")
    assert result.new_status == "pending_approval"
    assert decisions.needs_four_eyes(Outcome.FALSE_POSITIVE, 0.85, 0.9) is False


def test_only_a_different_supervisor_approves(
    con: duckdb.DuckDBPyConnection, people: People
) -> None:
    alert_id = add_alert(con, score=0.95)
    decide(con, alert_id, people["sue"], "true_match", "TM_IDENTIFIER", "passport matches")
    with pytest.raises(PermissionDenied, match="analyst") as denied:
        approve(con, alert_id, people["bob"], True, "ok")
    assert denied.value.http_status == 403
    with pytest.raises(PermissionDenied, match="sue made this decision and cannot approve"):
        approve(con, alert_id, people["sue"], True, "ok")
    assert get_alert(con, people["sue"], alert_id).status == "pending_approval"
    done = approve(con, alert_id, people["sam"], True, "agreed")
    assert (done.new_status, done.approved, done.actor) == ("closed", True, "sam")
    alert = get_alert(con, people["ana"], alert_id)
    assert (alert.status, alert.outcome) == ("closed", "true_match")
    events = [(e["kind"], e["actor"], e["what"]) for e in history(con, people["ana"], alert_id)]
    assert events == [("decision", "sue", "true_match"), ("approval", "sam", "approved")]
    with pytest.raises(InvalidTransition):
        approve(con, alert_id, people["adm"], True, "again")


def test_rejection_sends_back_to_review_with_the_comment(
    con: duckdb.DuckDBPyConnection, people: People
) -> None:
    alert_id = add_alert(con, score=0.93)
    decide(con, alert_id, people["ana"], "false_positive", "FP_DIFFERENT_ENTITY", "other man")
    assert [a.alert_id for a in pending_approvals(con, people["sue"])] == [alert_id]
    with pytest.raises(ValidationError, match="comment is required"):
        approve(con, alert_id, people["sue"], False, "  ")
    back = approve(con, alert_id, people["sue"], False, "check the passport first")
    assert back.new_status == "in_review"
    assert con.execute("SELECT approved, comment FROM approvals").fetchall() == [
        (False, "check the passport first")
    ]
    again = decide(con, alert_id, people["ana"], "true_match", "TM_IDENTIFIER", "passport fits")
    assert again.previous_status == "in_review"
    assert pending_approvals(con, people["sue"])[0].decision_outcome == "true_match"


def test_escalated_alerts_are_decided_by_supervisors(
    con: duckdb.DuckDBPyConnection, people: People
) -> None:
    alert_id = add_alert(con, score=0.8)
    decide(con, alert_id, people["ana"], "escalate", "ESC_SENIOR_REVIEW", "unsure")
    with pytest.raises(PermissionDenied, match="supervisor decides"):
        decide(con, alert_id, people["bob"], "false_positive", "FP_COMMON_NAME", "no")
    result = decide(con, alert_id, people["sue"], "false_positive", "FP_COMMON_NAME", "no")
    assert (result.previous_status, result.new_status) == ("escalated", "closed")


def test_reopen_is_for_supervisors_and_recorded(
    con: duckdb.DuckDBPyConnection, people: People
) -> None:
    alert_id = add_alert(con, score=0.5)
    decide(con, alert_id, people["ana"], "false_positive", "FP_COMMON_NAME", "no")
    with pytest.raises(PermissionDenied):
        reopen(con, alert_id, people["ana"], "second look")
    with pytest.raises(ValidationError):
        reopen(con, alert_id, people["sue"], "")
    alert = reopen(con, alert_id, people["sue"], "new information from the bank")
    assert (alert.status, alert.outcome, alert.row_version) == ("open", None, 2)
    row = con.execute("SELECT actor, \"before\"->>'status', \"after\"->>'comment' FROM audit_log "
                      "WHERE action = 'alert.reopen'").fetchall()
    assert row == [("sue", "closed", "new information from the bank")]
    with pytest.raises(InvalidTransition):
        reopen(con, alert_id, people["sue"], "again")


def test_claim_and_invalid_transitions(con: duckdb.DuckDBPyConnection, people: People) -> None:
    alert_id = add_alert(con)
    assert claim(con, alert_id, people["ana"]).status == "in_review"
    decide(con, alert_id, people["ana"], "false_positive", "FP_COMMON_NAME", "no")
    with pytest.raises(InvalidTransition, match="closed") as info:
        decide(con, alert_id, people["bob"], "true_match", "TM_CONFIRMED", "yes")
    assert info.value.http_status == 409
    with pytest.raises(InvalidTransition):
        claim(con, alert_id, people["bob"])
    with pytest.raises(NotFound):
        claim(con, 999_999, people["bob"])


@pytest.mark.parametrize(
    ("outcome", "reason", "comment", "message"),
    [
        ("false_positive", "TM_CONFIRMED", "x", "not valid for false_positive"),
        ("false_positive", "FP_MADE_UP", "x", "FP_COMMON_NAME"),
        ("maybe", "FP_COMMON_NAME", "x", "unknown outcome 'maybe'"),
        ("true_match", "TM_CONFIRMED", " ", "comment is required"),
    ],
)
def test_decisions_are_validated(
    con: duckdb.DuckDBPyConnection, people: People, outcome: str, reason: str, comment: str,
    message: str,
) -> None:
    alert_id = add_alert(con)
    with pytest.raises(ValidationError, match=message) as info:
        decide(con, alert_id, people["ana"], outcome, reason, comment)
    assert info.value.http_status == 422
    assert get_alert(con, people["ana"], alert_id).status == "open"


def test_clients_cannot_review(con: duckdb.DuckDBPyConnection, people: People) -> None:
    alert_id = add_alert(con)
    with pytest.raises(PermissionDenied):
        list_alerts(con, people["bank"])
    with pytest.raises(PermissionDenied):
        decide(con, alert_id, people["bank"], "false_positive", "FP_COMMON_NAME", "no")


def test_stale_version_is_a_conflict_and_changes_nothing(
    con: duckdb.DuckDBPyConnection, people: People
) -> None:
    alert_id = add_alert(con)
    claim(con, alert_id, people["ana"], expected_version=0)
    audit_before = con.execute("SELECT count(*) FROM audit_log").fetchone()
    with pytest.raises(ConflictError, match="version 1, not 0") as info:
        decide(con, alert_id, people["bob"], "false_positive", "FP_COMMON_NAME", "no",
               expected_version=0)
    assert info.value.http_status == 409
    assert con.execute("SELECT count(*) FROM decisions").fetchone() == (0,)
    assert con.execute("SELECT count(*) FROM audit_log").fetchone() == audit_before


def test_two_analysts_deciding_at_once_one_gets_a_conflict(
    db_path: Path, con: duckdb.DuckDBPyConnection, people: People
) -> None:
    alert_ids = [add_alert(con, party_key=f"pk-{i}") for i in range(8)]
    outcomes: list[tuple[int, str, str]] = []
    lock = threading.Lock()

    def analyst(name: str, reason: str, barrier: threading.Barrier, alert_id: int) -> None:
        own = duckdb.connect(str(db_path))  # each analyst has its own connection
        try:
            barrier.wait()
            decide(own, alert_id, people[name], "false_positive", reason, f"by {name}",
                   expected_version=0)
            result = "ok"
        except ConflictError:
            result = "conflict"
        finally:
            own.close()
        with lock:
            outcomes.append((alert_id, name, result))

    for alert_id in alert_ids:
        barrier = threading.Barrier(2)
        threads = [
            threading.Thread(target=analyst, args=("ana", "FP_COMMON_NAME", barrier, alert_id)),
            threading.Thread(target=analyst, args=("bob", "FP_DOB_MISMATCH", barrier, alert_id)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    for alert_id in alert_ids:
        results = sorted(r for a, _, r in outcomes if a == alert_id)
        assert results == ["conflict", "ok"]
        winner = next(n for a, n, r in outcomes if a == alert_id and r == "ok")
        stored = con.execute("SELECT actor FROM decisions WHERE alert_id = ?", [alert_id])
        assert stored.fetchall() == [(winner,)]
        assert get_alert(con, people["sue"], alert_id).decided_by == winner


def test_an_acknowledged_decision_survives_closing_the_connection(
    db_path: Path, con: duckdb.DuckDBPyConnection, people: People
) -> None:
    alert_id = add_alert(con)
    result = decide(con, alert_id, people["ana"], "escalate", "ESC_NEED_INFO", "ask the bank")
    con.close()
    fresh = duckdb.connect(str(db_path))
    try:
        assert fresh.execute("SELECT decision_id, new_status FROM decisions").fetchall() == [
            (result.decision_id, "escalated")
        ]
        assert fresh.execute(
            "SELECT count(*) FROM audit_log WHERE action = 'alert.decide'"
        ).fetchone() == (1,)
        assert fresh.execute("SELECT status, row_version FROM alerts").fetchall() == [
            ("escalated", 1)
        ]
    finally:
        fresh.close()


def test_confidential_alerts_never_appear_without_clearance(
    con: duckdb.DuckDBPyConnection, people: People
) -> None:
    load_list(con, "un_sc", [entity("E1", "John Doe")])
    load_list(con, "be_secret", [entity("S1", "Jane Roe", "be_secret")], confidential=True)
    public = add_alert(con, score=0.8)
    secret = add_alert(con, list_id="be_secret", entity_id="S1", score=0.99)
    ana = people["ana"]
    cleared = Principal("cleo", Role.ANALYST, frozenset({"be_secret"}))
    assert [a.alert_id for a in list_alerts(con, ana)] == [public]
    assert count_alerts(con, ana) == 1 and count_alerts(con, cleared) == 2
    assert count_alerts(con, ana, AlertFilter(list_id="be_secret")) == 0
    assert status_counts(con, ana) == {"open": 1}
    assert status_counts(con, cleared) == {"open": 2}
    assert export_alerts(con, ana)["alert_id"].to_list() == [public]
    assert export_alerts(con, cleared)["list_id"].to_list() == ["un_sc", "be_secret"]
    for action in (
        lambda: get_alert(con, ana, secret),
        lambda: decide(con, secret, ana, "false_positive", "FP_COMMON_NAME", "no"),
        lambda: claim(con, secret, ana),
        lambda: history(con, ana, secret),
        lambda: reopen(con, secret, people["sue"], "x"),
    ):
        with pytest.raises(NotFound, match=f"no alert {secret}"):
            action()
    assert [a.alert_id for a in list_alerts(con, cleared, sort="score")] == [secret, public]


def test_listing_filters_sorts_and_pages(con: duckdb.DuckDBPyConnection, people: People) -> None:
    ids = [add_alert(con, party_key=f"p{i}", score=s, batch_id=b)
           for i, (s, b) in enumerate([(0.7, "b1"), (0.9, "b1"), (0.8, "b2"), (0.75, "b1")])]
    ana = people["ana"]
    assert [a.alert_id for a in list_alerts(con, ana)] == [ids[1], ids[2], ids[3], ids[0]]
    page = list_alerts(con, ana, AlertFilter(batch_id="b1", min_score=0.72), sort="score",
                       descending=False, limit=1, offset=1)
    assert [a.alert_id for a in page] == [ids[1]]
    with pytest.raises(ValidationError, match="cannot sort by 'x; drop'"):
        list_alerts(con, ana, sort="x; drop")
    assert get_alert(con, ana, ids[0]).to_dict()["party"] == {"name": "John Doe"}


def test_audit_hides_confidential_alerts_from_uncleared_readers(
    con: duckdb.DuckDBPyConnection, people: People
) -> None:
    load_list(con, "un_sc", [entity("E1", "John Doe")])
    load_list(con, "be_secret", [entity("S1", "Jane Roe", "be_secret")], confidential=True)
    public = add_alert(con, score=0.8)
    secret = add_alert(con, list_id="be_secret", entity_id="S1", score=0.99)
    cleared_analyst = Principal("cleo", Role.ANALYST, frozenset({"be_secret"}))
    claim(con, public, people["ana"])
    claim(con, secret, cleared_analyst)
    uncleared = people["sue"]
    cleared = Principal("sam", Role.SUPERVISOR, frozenset({"be_secret"}))
    targets = {e.target for e in read_audit(con, uncleared, action="alert.claim")}
    assert targets == {f"alert:{public}"}
    targets = {e.target for e in read_audit(con, cleared, action="alert.claim")}
    assert targets == {f"alert:{public}", f"alert:{secret}"}
