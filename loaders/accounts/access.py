"""Roles and what each may do: the one permission matrix, checked on the server.

Roles are ordered; each includes everything the roles before it may do:

* viewer: maps, aggregates and profiles;
* analyst: adds incident details, point layers and exports;
* editor: adds imports, rollbacks and demo-data removal;
* admin: adds users, settings, the audit log and the yearly hot-spot list.
"""

from __future__ import annotations

ROLE_VIEWER = "viewer"
ROLE_ANALYST = "analyst"
ROLE_EDITOR = "editor"
ROLE_ADMIN = "admin"
ROLES: tuple[str, ...] = (ROLE_VIEWER, ROLE_ANALYST, ROLE_EDITOR, ROLE_ADMIN)

#: The least role that holds each permission.
PERMISSIONS: dict[str, str] = {
    "view": ROLE_VIEWER,
    "incident_details": ROLE_ANALYST,
    "points": ROLE_ANALYST,
    "export": ROLE_ANALYST,
    "import": ROLE_EDITOR,
    "rollback": ROLE_EDITOR,
    "demo": ROLE_EDITOR,
    "users": ROLE_ADMIN,
    "settings": ROLE_ADMIN,
    "audit": ROLE_ADMIN,
    "hot_spots": ROLE_ADMIN,
}


def allowed(role: str | None, permission: str) -> bool:
    """Whether ``role`` holds ``permission``.

    Raises
    ------
    KeyError
        For an unknown permission, so a typo never grants access silently.
    """
    needed = PERMISSIONS[permission]
    if role not in ROLES:
        return False
    return ROLES.index(role) >= ROLES.index(needed)
