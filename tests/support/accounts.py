"""Helpers for tests that need a signed-in user or cheap password hashing (no fixtures here: import and call).

* ``as_role(at, "editor")`` before ``at.run()`` makes an AppTest session act as
  a signed-in user of that role (the app is closed to anonymous visitors).
* ``fast_hashing(monkeypatch)`` swaps the argon2 parameters for tiny ones, so a
  test that creates accounts or signs in does not spend a second per hash.
"""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from loaders.accounts import passwords
from ui.access import USER_KEY, SessionUser


def as_role(at, role: str, name: str | None = None):
    """Put a signed-in ``SessionUser`` of ``role`` into the AppTest's session; returns ``at`` for chaining."""
    at.session_state[USER_KEY] = SessionUser(name or f"test_{role}", role)
    return at


def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Use cheap argon2 parameters for the rest of the test (same algorithm, same code path)."""
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
    passwords._dummy_hash.cache_clear()
    monkeypatch.setattr(passwords, "_dummy_hash", lambda: passwords._hasher.hash("timing only"))
