"""Server-side sessions, the per-address sign-in lockout, OpenID Connect identities bound to accounts.

* ``sessions``: one row per signed-in browser. The browser keeps a signed cookie naming the row; every run
  checks the row (not ended, not idle, not older than the maximum age), so
  signing out, disabling, a role or password change end it everywhere.
* ``sign_in_addresses``: failed sign-ins per client address, with a block that
  grows each time the address is blocked again.
* ``users.oidc_issuer`` / ``users.oidc_subject``: the provider identity an
  account is bound to after its first OpenID Connect sign-in.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("oidc_issuer", sa.String(255)))
        batch.add_column(sa.Column("oidc_subject", sa.String(255)))
        batch.create_unique_constraint("uq_users_oidc_identity", ["oidc_issuer", "oidc_subject"])
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
        sa.Column("end_reason", sa.String(20)),
        sa.Column("address", sa.String(100)),
    )
    op.create_index("ix_sessions_user_id", "sessions", ["user_id"])
    op.create_table(
        "sign_in_addresses",
        sa.Column("address", sa.String(100), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True)),
        sa.Column("last_failure_at", sa.DateTime(timezone=True)),
    )


def downgrade() -> None:
    op.drop_table("sign_in_addresses")
    op.drop_index("ix_sessions_user_id", table_name="sessions")
    op.drop_table("sessions")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("uq_users_oidc_identity", type_="unique")
        batch.drop_column("oidc_subject")
        batch.drop_column("oidc_issuer")
