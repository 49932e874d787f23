"""The signed, expiring sign-in cookie: what it holds, how it is signed, where the key comes from.

The cookie holds the account's id and the session's secret
(:mod:`loaders.accounts.sessions`), signed with itsdangerous and stamped with
its time; never the role. It is only a pointer: the store decides on every
run whether the session still holds. A cookie older than
``HT_SESSION_MAX_HOURS`` is refused even before the store is asked.

The signing key comes from the deployment's secrets (``[auth_cookie] key`` in
``.streamlit/secrets.toml``), which is required when several processes or
machines serve the app; otherwise it is generated at first start into the
data folder (:data:`KEY_FILE`, readable by its owner only) and never committed.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer

from loaders.core.private_files import FILE_MODE, private_dir

#: The cookie's name.
COOKIE_NAME = "ht_session"
#: The generated key's file in the data folder.
KEY_FILE = "session_signing_key"
#: Keys shorter than this (from secrets) are refused: they could be guessed.
MIN_KEY_LENGTH = 32
_SALT = "ht-sign-in-cookie"


class SigningKeyError(ValueError):
    """The configured signing key is unusable (message in Vietnamese, for the deployer)."""


def signing_key(data_dir: Path, configured: str | None = None) -> str:
    """The key that signs sign-in cookies.

    Parameters
    ----------
    data_dir
        The data folder, where a generated key is kept.
    configured
        The key from the deployment's secrets, when set.

    Raises
    ------
    SigningKeyError
        When a configured key is shorter than :data:`MIN_KEY_LENGTH`.
    """
    if configured:
        if len(configured) < MIN_KEY_LENGTH:
            raise SigningKeyError(
                f"Khóa ký cookie đăng nhập ([auth_cookie] key) phải dài ít nhất {MIN_KEY_LENGTH} ký tự."
            )
        return configured
    path = private_dir(data_dir) / KEY_FILE
    try:
        # Created with its final mode, never readable by others; a concurrent first start loses the race.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(key + "\n")
    return key


def _serializer(key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(key, salt=_SALT)


def make_token(key: str, user_id: int, secret: str) -> str:
    """The cookie value for a session: URL-safe, signed, time-stamped."""
    return _serializer(key).dumps({"u": user_id, "s": secret})


def read_token(key: str, token: str, max_age_seconds: int) -> str | None:
    """The session secret in a cookie value, or ``None`` when it is forged, altered, malformed or too old."""
    if not token or len(token) > 512:
        return None
    try:
        payload = _serializer(key).loads(token, max_age=max_age_seconds)
    except BadSignature:  # SignatureExpired is a BadSignature too
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("s"), str) or not isinstance(payload.get("u"), int):
        return None
    return payload["s"]
