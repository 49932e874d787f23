"""Initial schema: imports, stored files, the three datasets, audit log, users, meta.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _resolved_columns() -> list[sa.Column]:
    return [
        sa.Column("commune_code", sa.String(5), nullable=False, index=True),
        sa.Column("legacy_code", sa.String(5)),
        sa.Column("vintage", sa.String(10), nullable=False),
        sa.Column("code_given", sa.String(50)),
        sa.Column("name_given", sa.String(200)),
        sa.Column("district_given", sa.String(200)),
        sa.Column("source_row", sa.Integer),
    ]


def _import_fk() -> sa.Column:
    return sa.Column(
        "import_id", sa.Integer, sa.ForeignKey("imports.id", ondelete="CASCADE"), nullable=False, index=True
    )


def upgrade() -> None:
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("dataset", sa.String(20), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, index=True),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("user_name", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rows_read", sa.Integer, nullable=False),
        sa.Column("rows_accepted", sa.Integer, nullable=False),
        sa.Column("rows_rejected", sa.Integer, nullable=False),
        sa.Column("is_demo", sa.Boolean, nullable=False),
        sa.Column("valid_only", sa.Boolean, nullable=False),
        sa.Column("forced", sa.Boolean, nullable=False),
        sa.Column("vintage", sa.String(10)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("rolled_back_at", sa.DateTime(timezone=True)),
        sa.Column("rolled_back_by", sa.String(100)),
        sa.Column("report", sa.Text),
    )
    op.create_table(
        "stored_files",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "models",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _import_fk(),
        *_resolved_columns(),
        sa.Column("model_name", sa.String(300), nullable=False),
        sa.Column("name_key", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("setting", sa.String(30), nullable=False),
        sa.Column("founded_on", sa.Date, nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("dissolved_on", sa.Date),
        sa.Column("assessment", sa.String(30)),
        sa.Column("members", sa.Integer),
        sa.Column("lat", sa.Float),
        sa.Column("lon", sa.Float),
        sa.Column("notes", sa.Text),
        sa.UniqueConstraint("commune_code", "name_key", name="uq_models_business_key"),
    )
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _import_fk(),
        *_resolved_columns(),
        sa.Column("incident_code", sa.String(100), nullable=False),
        sa.Column("occurred_on", sa.Date, nullable=False, index=True),
        sa.Column("field", sa.String(40), nullable=False),
        sa.Column("severity", sa.String(40), nullable=False),
        sa.Column("lat", sa.Float),
        sa.Column("lon", sa.Float),
        sa.Column("description", sa.Text),
        sa.UniqueConstraint("incident_code", name="uq_incidents_business_key"),
    )
    op.create_table(
        "recognitions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        _import_fk(),
        *_resolved_columns(),
        sa.Column("year", sa.Integer, nullable=False, index=True),
        sa.Column("unit_type", sa.String(40), nullable=False),
        sa.Column("unit_name", sa.String(300), nullable=False),
        sa.Column("unit_key", sa.String(300), nullable=False),
        sa.Column("result", sa.String(20), nullable=False),
        sa.UniqueConstraint("year", "commune_code", "unit_type", "unit_key", name="uq_recognitions_business_key"),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("user_name", sa.String(100), nullable=False),
        sa.Column("action", sa.String(40), nullable=False, index=True),
        sa.Column("detail", sa.Text),
        sa.Column("address", sa.String(100)),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(100), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("failed_attempts", sa.Integer, nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "meta",
        sa.Column("key", sa.String(50), primary_key=True),
        sa.Column("value", sa.String(200), nullable=False),
    )


def downgrade() -> None:
    for table in ("meta", "users", "events", "recognitions", "incidents", "models", "stored_files", "imports"):
        op.drop_table(table)
