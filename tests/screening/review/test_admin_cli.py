"""`screening users add`, `keys create` and `audit verify` run as the installed command."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from screening.review.users import authenticate_key, authenticate_password
from tests.screening.review.helpers import PASSWORD


def run(db: Path, *args: str, stdin: str = "", ok: bool = True) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("screening", path=str(Path(sys.executable).parent))
    assert exe is not None, "the screening console command is not installed"
    env = {**os.environ, "SCREENING_DB": str(db)}
    result = subprocess.run([exe, *args], capture_output=True, text=True, env=env, input=stdin,
                            check=False)
    if ok:
        assert result.returncode == 0, result.stderr
    return result


def test_users_add_reads_the_password_from_stdin(tmp_path: Path) -> None:
    db = tmp_path / "admin.duckdb"
    out = run(db, "users", "add", "sue", "--role", "supervisor", "--clearance", "be_secret",
              "--clearance", "nl_secret", stdin=PASSWORD + "\n").stdout
    assert out.strip() == "user sue added with role supervisor (clearance: be_secret, nl_secret)"
    refused = run(db, "users", "add", "sue", "--role", "analyst", stdin=PASSWORD + "\n", ok=False)
    assert refused.returncode != 0 and "user 'sue' already exists" in refused.stderr
    weak = run(db, "users", "add", "tom", "--role", "analyst", stdin="short\n", ok=False)
    assert weak.returncode != 0 and "at least 12 characters" in weak.stderr
    bad_role = run(db, "users", "add", "tom", "--role", "boss", stdin=PASSWORD, ok=False)
    assert bad_role.returncode == 2 and "boss" in bad_role.stderr
    con = duckdb.connect(str(db))
    try:
        user = authenticate_password(con, "sue", PASSWORD, audit=False)
        assert user is not None and user.clearance == frozenset({"be_secret", "nl_secret"})
        stored = con.execute("SELECT password_hash FROM users").fetchall()
        assert len(stored) == 1 and PASSWORD not in stored[0][0]
    finally:
        con.close()


def test_keys_create_prints_the_key_once(tmp_path: Path) -> None:
    db = tmp_path / "admin.duckdb"
    result = run(db, "keys", "create", "bank-a", "--role", "client")
    key = result.stdout.strip()
    assert len(key) >= 43 and "not shown again" in result.stderr
    as_json = json.loads(run(db, "keys", "create", "bank-b", "--role", "analyst",
                             "--json").stdout)
    assert as_json["role"] == "analyst" and as_json["key"] != key
    con = duckdb.connect(str(db))
    try:
        principal = authenticate_key(con, key)
        assert principal is not None and principal.name == "bank-a"
        dump = con.execute("SELECT * FROM api_keys").fetchall()
        assert key not in str(dump) and as_json["key"] not in str(dump)
    finally:
        con.close()


def test_audit_verify_fails_after_tampering(tmp_path: Path) -> None:
    db = tmp_path / "admin.duckdb"
    run(db, "users", "add", "ana", "--role", "analyst", stdin=PASSWORD + "\n")
    run(db, "keys", "create", "bank-a", "--role", "client")
    assert run(db, "audit", "verify").stdout.strip() == "2 entries verified, chain intact"
    con = duckdb.connect(str(db))
    try:
        con.execute("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 1")
    finally:
        con.close()
    broken = run(db, "audit", "verify", "--json", ok=False)
    assert broken.returncode == 1
    assert json.loads(broken.stdout) == {
        "ok": False, "checked": 0, "first_bad_seq": 1,
        "message": "entry 1 was altered (hash mismatch)",
    }
    assert "TAMPERED: entry 1" in run(db, "audit", "verify", ok=False).stdout
