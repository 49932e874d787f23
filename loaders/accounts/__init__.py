"""Roles and permissions, sign-in and lockout, and the audit log."""
