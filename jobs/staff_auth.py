"""Staff login that works offline: a salted PBKDF2 hash, and a lockout kept in the database.

The hash comes from env KIOSK_STAFF_PASSWORD_HASH, else `staff_password_hash` in
.streamlit/secrets.toml (the repo's, then ~/.streamlit/). Set it with

    .venv/bin/python -m jobs set-password            # asks twice, prints the hash
    .venv/bin/python -m jobs set-password --write    # ... and writes secrets.toml

Format: pbkdf2_sha256$<iterations>$<salt, base64>$<hash, base64> (the iteration count travels
with the hash, so it can be raised later without breaking old hashes).
After KIOSK_STAFF_MAX_FAILURES wrong passwords in a row the login is locked for
KIOSK_STAFF_LOCK_SECONDS, for every
session and every kiosk sharing the database (the count lives in the queue database).
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path

from base.atomic import write_atomic
from base.errors import KioskError
from base.settings import REPO, settings

ITERATIONS = 240_000
ACCOUNT = "staff"   # one shared staff password; each person types their name for the audit log
SECRETS_KEY = "staff_password_hash"


class AuthError(KioskError):
    """The staff password is not configured or malformed."""


def hash_password(password: str, *, iterations: int = ITERATIONS, salt: bytes | None = None) -> str:
    if not password:
        raise AuthError("the password must not be empty", "密码不能为空")
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    return "$".join(["pbkdf2_sha256", str(iterations), base64.b64encode(salt).decode(),
                     base64.b64encode(digest).decode()])


def verify_password(password: str, encoded: str) -> bool:
    try:
        algo, iters, salt_b64, hash_b64 = encoded.strip().split("$")
        if algo != "pbkdf2_sha256":
            return False
        salt, expected = base64.b64decode(salt_b64), base64.b64decode(hash_b64)
        digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, int(iters))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, expected)


def secrets_paths() -> list[Path]:
    return [REPO / ".streamlit" / "secrets.toml", Path.home() / ".streamlit" / "secrets.toml"]


def configured_hash() -> str | None:
    env = settings().staff_password_hash.strip()
    if env:
        return env
    for path in secrets_paths():
        if path.is_file():
            try:
                value = tomllib.loads(path.read_text(encoding="utf-8")).get(SECRETS_KEY)
            except (tomllib.TOMLDecodeError, OSError):
                continue
            if value:
                return str(value)
    return None


def write_secrets(encoded: str, path: Path | None = None) -> Path:
    """Set staff_password_hash in secrets.toml, keeping the file's other keys as they are."""
    path = path or secrets_paths()[0]
    path.parent.mkdir(parents=True, exist_ok=True)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    line = f'{SECRETS_KEY} = "{encoded}"'
    pattern = re.compile(rf"^{SECRETS_KEY}\s*=.*$", re.M)
    text = pattern.sub(line, text) if pattern.search(text) else (text.rstrip("\n") + "\n" + line + "\n").lstrip("\n")
    return write_atomic(path, text.encode("utf-8"), mode=0o600)


@dataclass(frozen=True)
class LoginResult:
    ok: bool
    actor: str = ""
    locked_until: dt.datetime | None = None
    en: str = ""
    zh: str = ""

    def message(self, lang: str = "en") -> str:
        return self.zh if lang == "zh" else self.en


def _locked(until: dt.datetime) -> LoginResult:
    minutes = max(1, round((until - dt.datetime.now(dt.timezone.utc)).total_seconds() / 60))
    return LoginResult(False, locked_until=until,
                       en=f"Too many wrong passwords. Login is locked for about {minutes} min.",
                       zh=f"密码错误次数过多，登录已锁定约 {minutes} 分钟。")


def login(store, name: str, password: str) -> LoginResult:
    """Check a staff login; every attempt is in the audit log, failures count to the lockout."""
    name = " ".join((name or "").split())[:40] or "staff"
    actor = f"staff:{name}"
    until = store.locked_until(ACCOUNT)
    if until:
        store.audit(actor, "login_refused_locked", None, {"account": ACCOUNT})
        return _locked(until)
    encoded = configured_hash()
    if not encoded:
        return LoginResult(False, en="No staff password is set. Run: python -m jobs set-password",
                           zh="尚未设置员工密码。请运行：python -m jobs set-password")
    if verify_password(password or "", encoded):
        store.login_succeeded(ACCOUNT, actor=actor)
        return LoginResult(True, actor=actor)
    s = settings()
    until = store.login_failed(ACCOUNT, max_failures=s.staff_max_failures,
                               lock_seconds=s.staff_lock_seconds, actor=actor)
    if until:
        return _locked(until)
    left = s.staff_max_failures - store.login_failures(ACCOUNT)
    minutes = max(1, round(s.staff_lock_seconds / 60))
    return LoginResult(False, en=f"Wrong password. {left} more {'try' if left == 1 else 'tries'} "
                                 f"before the login locks for {minutes} min.",
                       zh=f"密码错误。再错 {left} 次，登录将锁定 {minutes} 分钟。")
