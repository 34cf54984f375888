"""Users, keys, roles and clearance: hashes only, timing-safe checks, explicit permissions."""

from __future__ import annotations

import hashlib
import hmac

import duckdb
import pytest

from screening.review import users
from screening.review.errors import PermissionDenied, ValidationError
from screening.review.users import (
    Permission,
    Principal,
    Role,
    authenticate_key,
    authenticate_password,
    create_api_key,
    create_user,
    require,
    revoke_api_key,
    visible_lists,
)
from tests.screening.review.helpers import PASSWORD, entity, load_list


def test_password_is_stored_as_salted_scrypt_never_plaintext(
    con: duckdb.DuckDBPyConnection, accounts: dict[str, Principal]
) -> None:
    rows = con.execute("SELECT name, password_hash FROM users ORDER BY name").fetchall()
    assert len(rows) == 6
    hashes = [h for _, h in rows]
    assert all(h.startswith("scrypt$16384$8$1$") for h in hashes)
    assert all(PASSWORD not in h for h in hashes)
    assert len(set(hashes)) == 6  # same password, different salts
    dump = " ".join(str(v) for row in con.execute("SELECT * FROM users").fetchall() for v in row)
    assert PASSWORD not in dump


def test_right_password_logs_in_wrong_or_unknown_does_not(
    con: duckdb.DuckDBPyConnection, accounts: dict[str, Principal]
) -> None:
    user = authenticate_password(con, "sue", PASSWORD)
    assert user is not None and user.role is Role.SUPERVISOR and user.name == "sue"
    assert authenticate_password(con, "sue", PASSWORD + "x") is None
    assert authenticate_password(con, "sue", "") is None
    assert authenticate_password(con, "nobody", PASSWORD) is None
    actions = con.execute(
        "SELECT actor, action FROM audit_log WHERE action LIKE 'login%' ORDER BY seq"
    ).fetchall()
    assert actions == [("sue", "login.success"), ("sue", "login.failure"),
                       ("sue", "login.failure"), ("nobody", "login.failure")]


def test_password_checks_are_constant_time_and_unknown_users_still_hash(
    con: duckdb.DuckDBPyConnection, accounts: dict[str, Principal], monkeypatch: pytest.MonkeyPatch
) -> None:
    compared: list[int] = []
    hashed: list[int] = []
    real_compare, real_scrypt = hmac.compare_digest, users._scrypt

    def spy_compare(a: bytes, b: bytes) -> bool:
        compared.append(1)
        return bool(real_compare(a, b))

    def spy_scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
        hashed.append(1)
        return real_scrypt(password, salt, n, r, p)

    monkeypatch.setattr(hmac, "compare_digest", spy_compare)
    monkeypatch.setattr(users, "_scrypt", spy_scrypt)
    assert authenticate_password(con, "ana", "wrong password!!", audit=False) is None
    assert authenticate_password(con, "ghost", "wrong password!!", audit=False) is None
    assert (len(compared), len(hashed)) == (2, 2)


def test_weak_password_duplicate_user_and_bad_role_are_refused(
    con: duckdb.DuckDBPyConnection, accounts: dict[str, Principal]
) -> None:
    with pytest.raises(ValidationError, match="at least 12"):
        create_user(con, "short", Role.ANALYST, "short")
    with pytest.raises(ValidationError, match="already exists"):
        create_user(con, "ana", Role.ANALYST, PASSWORD)
    with pytest.raises(ValidationError, match="unknown role 'boss'"):
        create_user(con, "carl", "boss", PASSWORD)
    with pytest.raises(ValidationError, match="invalid name"):
        create_user(con, "bad name; drop", Role.ANALYST, PASSWORD)


def test_api_key_is_random_shown_once_and_stored_as_sha256(
    con: duckdb.DuckDBPyConnection,
) -> None:
    new = create_api_key(con, "bank-a", Role.CLIENT, actor="adm")
    other = create_api_key(con, "bank-b", "client")
    assert len(new.secret) >= 43 and new.secret != other.secret
    stored = con.execute("SELECT * FROM api_keys WHERE key_id = ?", [new.key_id]).fetchone()
    assert stored is not None and new.secret not in " ".join(str(v) for v in stored)
    assert stored[4] == hashlib.sha256(new.secret.encode()).hexdigest()
    principal = authenticate_key(con, new.secret)
    assert principal == Principal("bank-a", Role.CLIENT, frozenset(), "key")
    assert principal.actor == "key:bank-a"
    assert authenticate_key(con, new.secret[:-1] + "x") is None
    assert revoke_api_key(con, new.key_id, "adm") is True
    assert authenticate_key(con, new.secret) is None
    logged = con.execute("SELECT action, target FROM audit_log ORDER BY seq").fetchall()
    assert logged == [("key.create", f"key:{new.key_id}"), ("key.create", f"key:{other.key_id}"),
                      ("key.revoke", f"key:{new.key_id}")]


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.CLIENT, {Permission.SCREEN}),
        (Role.ANALYST, {Permission.SCREEN, Permission.SUBMIT_BATCH, Permission.REVIEW,
                        Permission.DECIDE}),
        (Role.SUPERVISOR, {Permission.SCREEN, Permission.SUBMIT_BATCH, Permission.REVIEW,
                           Permission.DECIDE, Permission.APPROVE, Permission.REOPEN,
                           Permission.MANAGE_WHITELIST, Permission.READ_AUDIT}),
        (Role.ADMIN, set(Permission)),
    ],
)
def test_role_permissions_are_explicit(role: Role, allowed: set[Permission]) -> None:
    principal = Principal("x", role)
    assert {p for p in Permission if principal.can(p)} == allowed
    for permission in set(Permission) - allowed:
        with pytest.raises(PermissionDenied) as info:
            require(principal, permission)
        assert info.value.http_status == 403 and str(role) in str(info.value)


def test_visible_lists_hide_uncleared_confidential_lists(con: duckdb.DuckDBPyConnection) -> None:
    load_list(con, "un_sc", [entity("E1", "John Doe")])
    load_list(con, "be_secret", [entity("S1", "Jane Roe", "be_secret")], confidential=True)
    load_list(con, "be_other", [entity("O1", "Jim Poe", "be_other")], confidential=True)
    analyst = Principal("ana", Role.ANALYST)
    cleared = Principal("cleo", Role.ANALYST, frozenset({"be_secret"}))
    full = Principal("fay", Role.ANALYST, frozenset({"be_secret", "be_other"}))
    admin = Principal("adm", Role.ADMIN)
    assert visible_lists(analyst, con) == {"un_sc"}
    assert visible_lists(cleared, con) == {"un_sc", "be_secret"}
    assert visible_lists(full, con) is None
    assert visible_lists(admin, con) == {"un_sc"}  # clearance is need-to-know, not rank
    user = create_user(con, "cleo", Role.ANALYST, PASSWORD, clearance=["be_secret", " "])
    assert user.clearance == frozenset({"be_secret"})
    logged_in = authenticate_password(con, "cleo", PASSWORD)
    assert logged_in is not None and logged_in.clearance == frozenset({"be_secret"})
