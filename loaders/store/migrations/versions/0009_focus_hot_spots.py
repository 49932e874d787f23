"""The admin's yearly list of hot-spot communes with its history.

* ``hot_spot_versions``: one row per save of a year's list (who, when, a note);
* ``hot_spot_entries``: the communes of that version (code and vintage: codes are
  reused across vintages), each with the reason and the decision that named it.

Both tables are new and start empty, so existing stores keep everything.
Table definitions are written here, not imported, so that this revision keeps
building the same tables whatever the live schema becomes.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_USER_NAME_MAX = 100
_TEXT_MAX = 500


def upgrade() -> None:
    op.create_table(
        "hot_spot_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(_USER_NAME_MAX), nullable=False),
        sa.Column("note", sa.Text),
        sa.UniqueConstraint("year", "version", name="uq_hot_spot_versions_year_version"),
    )
    op.create_index("ix_hot_spot_versions_year", "hot_spot_versions", ["year"])
    op.create_table(
        "hot_spot_entries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("hot_spot_versions.id"), nullable=False),
        sa.Column("commune_code", sa.String(5), nullable=False),
        sa.Column("vintage", sa.String(10), nullable=False),
        sa.Column("reason", sa.String(_TEXT_MAX), nullable=False),
        sa.Column("decision", sa.String(_TEXT_MAX), nullable=False),
        sa.UniqueConstraint("version_id", "vintage", "commune_code", name="uq_hot_spot_entries_version_commune"),
    )
    op.create_index("ix_hot_spot_entries_version_id", "hot_spot_entries", ["version_id"])


def downgrade() -> None:
    op.drop_index("ix_hot_spot_entries_version_id", table_name="hot_spot_entries")
    op.drop_table("hot_spot_entries")
    op.drop_index("ix_hot_spot_versions_year", table_name="hot_spot_versions")
    op.drop_table("hot_spot_versions")
