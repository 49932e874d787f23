"""The store's schema: every table, the import statuses and the user-name width.

SQLAlchemy Core tables on one :data:`metadata`. The Alembic revisions in
``loaders/store/migrations`` build exactly this schema (a test compares them),
so a change here always comes with a new revision.
"""

from __future__ import annotations

import sqlalchemy as sa

from loaders.core import domain

metadata = sa.MetaData()

#: Status of an import whose rows are stored and may be shown.
IMPORT_COMMITTED = "committed"
#: Status of an import whose rows were deleted; its record stays in the history.
IMPORT_ROLLED_BACK = "rolled_back"

#: Width of every column that stores a user name (imports, rollbacks, audit log).
USER_NAME_MAX = 100

imports = sa.Table(
    "imports",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("dataset", sa.String(20), nullable=False),
    sa.Column("file_name", sa.String(255), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False, index=True),
    sa.Column("size_bytes", sa.BigInteger, nullable=False),
    sa.Column("user_name", sa.String(USER_NAME_MAX), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("rows_read", sa.Integer, nullable=False),
    sa.Column("rows_accepted", sa.Integer, nullable=False),
    sa.Column("rows_rejected", sa.Integer, nullable=False),
    sa.Column("is_demo", sa.Boolean, nullable=False, default=False),
    sa.Column("valid_only", sa.Boolean, nullable=False, default=False),
    sa.Column("forced", sa.Boolean, nullable=False, default=False),
    sa.Column("vintage", sa.String(10)),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("rolled_back_at", sa.DateTime(timezone=True)),
    sa.Column("rolled_back_by", sa.String(USER_NAME_MAX)),
    sa.Column("report", sa.Text),
)

#: Original upload bytes, kept by content hash (never by the user's file name).
#: ``codec`` says how ``content`` is packed: ``"zstd"`` or ``NULL`` for the
#: bytes as uploaded (see :func:`loaders.store.originals.pack_original`).
stored_files = sa.Table(
    "stored_files",
    metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("size_bytes", sa.BigInteger, nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
    sa.Column("codec", sa.String(10)),
)


def _resolved_columns(*, index_commune: bool = True) -> list[sa.Column]:
    """Columns every dataset row carries: the commune as given and as resolved.

    ``index_commune=False`` for incidents: nothing queries them by commune (see
    migration 0003), and maintaining that index is a large share of a big import.
    """
    return [
        sa.Column("commune_code", sa.String(5), nullable=False, index=index_commune),
        sa.Column("legacy_code", sa.String(5)),
        sa.Column("vintage", sa.String(10), nullable=False),
        sa.Column("code_given", sa.String(50)),
        sa.Column("name_given", sa.String(200)),
        sa.Column("district_given", sa.String(200)),
        sa.Column("source_row", sa.Integer),
    ]


def _import_fk() -> sa.Column:
    """The row's import; deleting the import deletes its rows."""
    return sa.Column(
        "import_id", sa.Integer, sa.ForeignKey("imports.id", ondelete="CASCADE"), nullable=False, index=True
    )


models = sa.Table(
    "models",
    metadata,
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

incidents = sa.Table(
    "incidents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    _import_fk(),
    *_resolved_columns(index_commune=False),
    sa.Column("incident_code", sa.String(100), nullable=False),
    sa.Column("occurred_on", sa.Date, nullable=False),
    sa.Column("field", sa.String(40), nullable=False),
    sa.Column("severity", sa.String(40)),  # optional in the dataset (migration 0002)
    sa.Column("lat", sa.Float),
    sa.Column("lon", sa.Float),
    sa.Column("description", sa.Text),
    sa.UniqueConstraint("incident_code", name="uq_incidents_business_key"),
)

recognitions = sa.Table(
    "recognitions",
    metadata,
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

DATASET_TABLES: dict[str, sa.Table] = {
    domain.DATASET_MODELS: models,
    domain.DATASET_INCIDENTS: incidents,
    domain.DATASET_RECOGNITIONS: recognitions,
}

#: Audit log: append-only; nothing in the UI updates or deletes it.
events = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
    sa.Column("user_name", sa.String(USER_NAME_MAX), nullable=False),
    sa.Column("action", sa.String(40), nullable=False, index=True),
    sa.Column("detail", sa.Text),
    sa.Column("address", sa.String(100)),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(USER_NAME_MAX), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False, default=False),
    sa.Column("failed_attempts", sa.Integer, nullable=False, default=0),
    sa.Column("locked_until", sa.DateTime(timezone=True)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_login_at", sa.DateTime(timezone=True)),
    # The OpenID Connect identity bound to this account (migration 0005): issuer and subject.
    sa.Column("oidc_issuer", sa.String(255)),
    sa.Column("oidc_subject", sa.String(255)),
    sa.UniqueConstraint("oidc_issuer", "oidc_subject", name="uq_users_oidc_identity"),
)

#: Signed-in sessions (migration 0005): a browser's sign-in, shared by its tabs through a signed
#: cookie. ``id`` is the SHA-256 of the session's secret, never the secret itself.
sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("method", sa.String(20), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("ended_at", sa.DateTime(timezone=True)),
    sa.Column("end_reason", sa.String(20)),
    sa.Column("address", sa.String(100)),
)

#: Failed sign-ins per client address (migration 0005): the progressive per-address lockout.
sign_in_addresses = sa.Table(
    "sign_in_addresses",
    metadata,
    sa.Column("address", sa.String(100), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False, default=0),
    sa.Column("level", sa.Integer, nullable=False, default=0),
    sa.Column("blocked_until", sa.DateTime(timezone=True)),
    sa.Column("last_failure_at", sa.DateTime(timezone=True)),
)

meta = sa.Table(
    "meta",
    metadata,
    sa.Column("key", sa.String(50), primary_key=True),
    sa.Column("value", sa.String(200), nullable=False),
)
