"""The password rule and argon2 hashing of local accounts.

Every hash is made and checked here, through one module-level hasher (tests
swap it for cheap parameters). :func:`spend_verification` lets sign-in refuse
an unknown account in the time a wrong password takes, so timing does not
tell them apart.

Each argon2 computation takes 64 MiB and a core for a fraction of a second:
at most :data:`MAX_CONCURRENT_HASHES` run at once in the process, whatever
the number of people (or attackers) signing in together.

The rule refuses passwords on a small built-in list of common ones
(``common_passwords.txt`` beside this module), compared without regard to case.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from loaders.accounts.records import UserError

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024  # argon2 handles more, but an unbounded input is a cheap denial of service

#: argon2 computations allowed at once in this process (each takes 64 MiB).
MAX_CONCURRENT_HASHES = 2
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")

_hasher = PasswordHasher()
_hash_slots = threading.BoundedSemaphore(MAX_CONCURRENT_HASHES)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The built-in list of common passwords, lower-cased."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    # Verified against when the user does not exist, so that an unknown name costs as long as a wrong password.
    return _hasher.hash("not a real password, only for timing")


def check_password(password: str) -> None:
    """Refuse passwords that are too short or too long.

    Raises
    ------
    UserError
        Naming the rule that failed.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"Mật khẩu phải có ít nhất {MIN_PASSWORD_LENGTH} ký tự.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise UserError(f"Mật khẩu dài quá {MAX_PASSWORD_LENGTH} ký tự.")
    if not password.strip():
        raise UserError("Mật khẩu không được chỉ gồm khoảng trắng.")
    if password.strip().lower() in common_passwords():
        raise UserError("Mật khẩu này quá phổ biến, dễ bị đoán; hãy chọn mật khẩu khác.")


def hash_password(password: str) -> str:
    """The argon2 hash to store for ``password`` (checked by the caller with :func:`check_password`)."""
    with _hash_slots:
        return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``; ``False`` for a mismatch or an unreadable hash."""
    try:
        with _hash_slots:
            return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def spend_verification(password: str) -> None:
    """Verify ``password`` against a throw-away hash: as slow as a real check, and always a failure."""
    verify_password(_dummy_hash(), password)


def needs_rehash(password_hash: str) -> bool:
    """Whether ``password_hash`` was made with other parameters than the hasher's current ones."""
    return _hasher.check_needs_rehash(password_hash)
