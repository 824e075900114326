"""Per-study roles as named sets of object permissions on the Study row (pure, no Django).

The permissions are the unit of enforcement; a role is only a convenient, documented bundle.
A custom role is any other set of these permissions (docs/roles.md has the table).
"""

from __future__ import annotations

# codename -> what it allows (the Study model declares these as Meta.permissions).
STUDY_PERMISSIONS: dict[str, str] = {
    "view_study": "See that the study exists, its settings and status",
    "view_aggregate": "See participants by pseudonymous code, sessions, metrics, profiles, the dashboard",
    "view_raw": "Read raw event streams",
    "export_data": "Download exports (CSV, Psych-DS, hBayesDM)",
    "manage_members": "Grant and revoke roles on the study",
    "manage_consent": "Draft and publish consent documents",
    "change_settings": "Change the study's title, status and game configuration",
    "manage_deletion": "See and act on participants' deletion requests",
    "reidentify": "Decrypt a participant's external identifier, with a stated reason",
    "view_audit": "Read the study's audit trail and its verification",
}

VIEWER = frozenset({"view_study", "view_aggregate"})
ANALYST = VIEWER | {"view_raw", "export_data"}
MANAGER = ANALYST | {"manage_members", "manage_consent", "change_settings", "manage_deletion", "reidentify"}
COMPLIANCE = frozenset({"view_study", "view_audit"})

ROLES: dict[str, frozenset[str]] = {
    "viewer": VIEWER,
    "analyst": frozenset(ANALYST),
    "manager": frozenset(MANAGER),
    "compliance": COMPLIANCE,
}
CUSTOM_ROLE = "custom"


def role_for_permissions(codenames: set[str] | frozenset[str]) -> str:
    """Name the role whose bundle is exactly ``codenames``, or ``custom``."""
    for name, perms in ROLES.items():
        if perms == frozenset(codenames):
            return name
    return CUSTOM_ROLE
