"""End to end with the batch job: a whitelisted pair is suppressed in the next batch."""

from __future__ import annotations

from pathlib import Path

import duckdb

from lists.ingest import load_paths
from lists.store import ListStore
from screening.batch import screen_file
from screening.review.alerts import AlertFilter, list_alerts
from screening.review.decisions import approve, decide
from screening.review.users import Principal
from screening.review.whitelist import approve_entry, propose, suppressed_alerts
from tests.screening.review.helpers import PEOPLE, open_db

ZAWAHIRI = "111923"
HEADER = "transaction_id,amount,originator_name,beneficiary_name\n"


def test_whitelisted_pair_is_suppressed_in_the_next_batch(
    tmp_path: Path, shared_data: Path
) -> None:
    db = tmp_path / "store.duckdb"
    con = open_db(db)
    load_paths(ListStore(con), [shared_data / "un/consolidated_2026-02-27.xml"])
    con.close()
    people = {name: Principal(name, role) for name, role in PEOPLE.items()}
    first = tmp_path / "first.csv"
    first.write_text(HEADER + "T1,10,Jean Dupont,Ayman al-Zawahiri\n", encoding="utf-8")
    second = tmp_path / "second.csv"
    second.write_text(HEADER + "T9,99,Maria Garcia,Ayman al-Zawahiri\n", encoding="utf-8")

    one = screen_file(db, first)
    con = duckdb.connect(str(db))
    try:
        hits = list_alerts(con, people["ana"], AlertFilter(batch_id=one.batch_id,
                                                           entity_id=ZAWAHIRI))
        assert len(hits) == 1 and hits[0].status == "open"
        alert = hits[0]
        decided = decide(con, alert.alert_id, people["ana"], "false_positive",
                         "FP_DIFFERENT_ENTITY", "customer is a namesake, other date of birth")
        # A strong name match: the false positive needs a supervisor's approval first.
        assert alert.score >= 0.9 and decided.new_status == "pending_approval"
        approve(con, alert.alert_id, people["sue"], True, "agreed")
        entry = propose(con, alert.alert_id, people["ana"], "namesake, verified documents")
        approve_entry(con, entry.entry_id, people["sam"])
    finally:
        con.close()

    two = screen_file(db, second)
    con = duckdb.connect(str(db))
    try:
        again = list_alerts(con, people["ana"], AlertFilter(batch_id=two.batch_id,
                                                            entity_id=ZAWAHIRI))
        assert [(a.status, a.suppressed_by, a.party_key) for a in again] == [
            ("suppressed", entry.entry_id, alert.party_key)
        ]
        report = suppressed_alerts(con, people["sue"], two.batch_id)
        assert [a.alert_id for a in report] == [again[0].alert_id]
    finally:
        con.close()
