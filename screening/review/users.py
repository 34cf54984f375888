"""Users, API keys, roles, permissions and clearance for confidential lists.

Roles are ordered client < analyst < supervisor < admin; each role has its own permissions plus
every permission of the roles below it. Passwords are stored as salted scrypt hashes and API
keys as SHA-256 hashes: the plaintext of either is never stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

import duckdb

from screening.review.audit import record
from screening.review.db import in_transaction, utcnow
from screening.review.errors import PermissionDenied, ValidationError


class Role(StrEnum):
    """Who a user or key acts as; later roles include the permissions of earlier ones."""

    CLIENT = "client"
    ANALYST = "analyst"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class Permission(StrEnum):
    """One thing a principal may do."""

    SCREEN = "screen"
    SUBMIT_BATCH = "submit_batch"
    REVIEW = "review"  # see and claim alerts
    DECIDE = "decide"  # decide alerts, propose whitelist entries
    APPROVE = "approve"  # four-eyes approval of decisions
    REOPEN = "reopen"
    MANAGE_WHITELIST = "manage_whitelist"  # approve and revoke whitelist entries
    READ_AUDIT = "read_audit"
    MANAGE_LISTS = "manage_lists"
    MANAGE_USERS = "manage_users"
    MANAGE_KEYS = "manage_keys"


_OWN: dict[Role, frozenset[Permission]] = {
    Role.CLIENT: frozenset({Permission.SCREEN}),
    Role.ANALYST: frozenset({Permission.SUBMIT_BATCH, Permission.REVIEW, Permission.DECIDE}),
    Role.SUPERVISOR: frozenset({
        Permission.APPROVE, Permission.REOPEN, Permission.MANAGE_WHITELIST,
        Permission.READ_AUDIT,
    }),
    Role.ADMIN: frozenset({
        Permission.MANAGE_LISTS, Permission.MANAGE_USERS, Permission.MANAGE_KEYS,
    }),
}
_ORDER = list(Role)


def permissions_of(role: Role) -> frozenset[Permission]:
    """Every permission of a role: its own and those of the roles below it."""
    granted: set[Permission] = set()
    for lower in _ORDER[: _ORDER.index(role) + 1]:
        granted |= _OWN[lower]
    return frozenset(granted)


PERMISSIONS: dict[Role, frozenset[Permission]] = {role: permissions_of(role) for role in Role}


@dataclass(frozen=True, slots=True)
class Principal:
    """Whoever calls a service: a logged-in user or an API key."""

    name: str
    role: Role
    clearance: frozenset[str] = field(default_factory=frozenset)
    kind: str = "user"  # "user", "key" or "system"

    def can(self, permission: Permission) -> bool:
        """True when the role grants the permission."""
        return permission in PERMISSIONS[self.role]

    @property
    def actor(self) -> str:
        """The name recorded in decisions and the audit log (keys are prefixed)."""
        return self.name if self.kind == "user" else f"{self.kind}:{self.name}"


@dataclass(frozen=True, slots=True)
class User(Principal):
    """A person with a password login."""


SYSTEM = Principal("system", Role.ADMIN, frozenset(), kind="system")


def require(principal: Principal, permission: Permission) -> None:
    """Raise PermissionDenied unless the principal's role grants the permission."""
    if not principal.can(permission):
        needed = next(r for r in _ORDER if permission in PERMISSIONS[r])
        raise PermissionDenied(
            f"{principal.actor} has role {principal.role}; '{permission}' needs role {needed}"
        )


def parse_role(value: str) -> Role:
    """A Role from its name, or ValidationError listing the valid names."""
    try:
        return Role(value.strip().lower())
    except ValueError:
        raise ValidationError(
            f"unknown role {value!r}; use one of {', '.join(r.value for r in Role)}"
        ) from None


# -- passwords ---------------------------------------------------------------------------------

_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
MIN_PASSWORD_CHARS = 12
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32
    )


def hash_password(password: str) -> str:
    """A salted scrypt hash: 'scrypt$n$r$p$salt$hash' (base64 parts)."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def check_password(password: str, stored: str) -> bool:
    """True when the password matches the stored hash (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    computed = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p))
    return hmac.compare_digest(computed, base64.b64decode(digest))


# Compared against when the user does not exist, so unknown and known names take as long.
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


def _check_name(name: str) -> str:
    if not _NAME_RE.match(name):
        raise ValidationError(
            f"invalid name {name!r}: 1-64 letters, digits, '.', '_', '@' or '-'"
        )
    return name


def _clearance(values: Iterable[str]) -> list[str]:
    return sorted({v.strip() for v in values if v.strip()})


def create_user(
    con: duckdb.DuckDBPyConnection, name: str, role: Role | str, password: str,
    clearance: Iterable[str] = (), actor: str = "system",
) -> User:
    """Add a user with a hashed password; the audit log records who added them."""
    role = parse_role(role) if isinstance(role, str) else role
    _check_name(name)
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValidationError(f"the password needs at least {MIN_PASSWORD_CHARS} characters")
    cleared = _clearance(clearance)
    hashed = hash_password(password)

    def work() -> User:
        exists = con.execute("SELECT 1 FROM users WHERE name = ?", [name]).fetchone()
        if exists:
            raise ValidationError(f"user {name!r} already exists")
        con.execute(
            "INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, FALSE)",
            [name, role.value, cleared, hashed, utcnow(), actor],
        )
        record(con, actor, "user.create", f"user:{name}", None,
               {"name": name, "role": role.value, "clearance": cleared})
        return User(name, role, frozenset(cleared), "user")

    return in_transaction(con, work)


def authenticate_password(
    con: duckdb.DuckDBPyConnection, name: str, password: str, *, audit: bool = True
) -> User | None:
    """The user when name and password are right (and the account enabled), else None."""
    row = con.execute(
        "SELECT role, clearance, password_hash, disabled FROM users WHERE name = ?", [name]
    ).fetchone()
    stored = str(row[2]) if row else _DUMMY_HASH
    valid = check_password(password, stored) and row is not None and not row[3]
    if audit:
        action = "login.success" if valid else "login.failure"
        in_transaction(con, lambda: record(con, name, action, f"user:{name}", None, None))
    if not valid or row is None:
        return None
    return User(name, Role(row[0]), frozenset(row[1]), "user")


# -- API keys ----------------------------------------------------------------------------------


def key_hash(key: str) -> str:
    """The SHA-256 hex digest under which an API key is stored."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class NewKey:
    """A freshly created API key: ``secret`` is shown once and never stored."""

    key_id: str
    name: str
    role: Role
    clearance: frozenset[str]
    secret: str


def create_api_key(
    con: duckdb.DuckDBPyConnection, name: str, role: Role | str,
    clearance: Iterable[str] = (), actor: str = "system",
) -> NewKey:
    """Create a random API key; only its hash is stored, the key is returned once."""
    role = parse_role(role) if isinstance(role, str) else role
    _check_name(name)
    cleared = _clearance(clearance)
    secret = secrets.token_urlsafe(32)
    key_id = secrets.token_hex(6)

    def work() -> NewKey:
        con.execute(
            "INSERT INTO api_keys VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
            [key_id, name, role.value, cleared, key_hash(secret), utcnow(), actor],
        )
        record(con, actor, "key.create", f"key:{key_id}", None,
               {"key_id": key_id, "name": name, "role": role.value, "clearance": cleared})
        return NewKey(key_id, name, role, frozenset(cleared), secret)

    return in_transaction(con, work)


class _KeyChanges:
    """A process-wide counter bumped after every key revocation.

    Caches of authenticated keys (the API's) compare it with the value they read before
    looking a key up, so a revoked key stops working on the next request.
    """

    def __init__(self) -> None:
        self._count = 0
        self._lock = threading.Lock()

    def bump(self) -> None:
        with self._lock:
            self._count += 1

    @property
    def count(self) -> int:
        return self._count


KEY_CHANGES = _KeyChanges()


def revoke_api_key(con: duckdb.DuckDBPyConnection, key_id: str, actor: str) -> bool:
    """Revoke a key; True when an active key was revoked."""

    def work() -> bool:
        rows = con.execute(
            "UPDATE api_keys SET revoked_at = ? WHERE key_id = ? AND revoked_at IS NULL "
            "RETURNING key_id", [utcnow(), key_id],
        ).fetchall()
        if rows:
            record(con, actor, "key.revoke", f"key:{key_id}", None, {"revoked": True})
        return bool(rows)

    KEY_CHANGES.bump()  # before too: a cache filled while the revocation is running is stale
    try:
        return in_transaction(con, work)
    finally:
        KEY_CHANGES.bump()  # after our commit (a caller's joined transaction: see api.access)


def authenticate_key(con: duckdb.DuckDBPyConnection, key: str) -> Principal | None:
    """The principal of a valid, unrevoked API key, else None."""
    digest = key_hash(key)
    row = con.execute(
        "SELECT name, role, clearance, key_hash FROM api_keys "
        "WHERE key_hash = ? AND revoked_at IS NULL", [digest],
    ).fetchone()
    if row is None or not hmac.compare_digest(str(row[3]), digest):
        return None
    return Principal(str(row[0]), Role(row[1]), frozenset(row[2]), "key")


# -- clearance ---------------------------------------------------------------------------------


def confidential_lists(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Ids of the lists marked confidential in the list store."""
    return {str(r[0]) for r in con.execute(
        "SELECT list_id FROM list_info WHERE confidential"
    ).fetchall()}


def hidden_lists(principal: Principal, con: duckdb.DuckDBPyConnection) -> list[str]:
    """Confidential list ids the principal is not cleared for (their alerts never show)."""
    return sorted(confidential_lists(con) - set(principal.clearance))


def visible_lists(principal: Principal, con: duckdb.DuckDBPyConnection) -> set[str] | None:
    """None when the principal may see every list; else the list ids it may see.

    Visible = every non-confidential list + the confidential lists in its clearance. Clearance
    is needed whatever the role: admins are not cleared for confidential lists by default.
    """
    confidential = confidential_lists(con)
    if not confidential - principal.clearance:
        return None
    known = {str(r[0]) for r in con.execute("SELECT list_id FROM list_info").fetchall()}
    return lists_visible_to(principal, known, confidential)


def lists_visible_to(principal: Principal, known: Iterable[str],
                     confidential: Iterable[str]) -> set[str] | None:
    """``visible_lists`` from the list ids already read: None when every list is visible."""
    hidden = set(confidential) - principal.clearance
    if not hidden:
        return None
    return set(known) - hidden


def get_user(con: duckdb.DuckDBPyConnection, name: str) -> User | None:
    """The user of that name (no password check), or None."""
    row = con.execute(
        "SELECT role, clearance FROM users WHERE name = ? AND NOT disabled", [name]
    ).fetchone()
    return User(name, Role(row[0]), frozenset(row[1]), "user") if row else None
