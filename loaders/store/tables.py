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
    # A row is a model's record for one year (migration 0007): its rating and status that
    # year. Rows stored before then hold for the year they were imported in.
    sa.Column("rating_year", sa.Integer, nullable=False),
    sa.Column("suspended_on", sa.Date),
    # The thôn/tổ dân phố as written, and its loose key (loaders.geo.areas.area_key): the
    # link to a residential area is made by key when read, so a list imported later links it.
    sa.Column("area_name", sa.String(200)),
    sa.Column("area_key", sa.String(200)),
    sa.UniqueConstraint("commune_code", "name_key", "rating_year", name="uq_models_business_key"),
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

#: What an incidents import reports (migration 0008): one row per 2025 commune and month (its
#: first day). A reported commune-month with no incident counts 0; one no visible import
#: reported is "chưa báo cáo". Small: communes × months, never one row per incident.
import_reports = sa.Table(
    "import_reports",
    metadata,
    sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("month", sa.Date, primary_key=True),
    sa.Column("commune_code", sa.String(5), primary_key=True),
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

#: Residential areas (thôn, tổ dân phố, migration 0006): a commune's yearly list. ``legacy_code`` is
#: the legacy commune the area belonged to before 1 July 2025, from "Xã cũ" or the crosswalk.
residential_areas = sa.Table(
    "residential_areas",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    _import_fk(),
    *_resolved_columns(),
    sa.Column("year", sa.Integer, nullable=False, index=True),
    sa.Column("area_name", sa.String(200), nullable=False),
    sa.Column("area_key", sa.String(200), nullable=False),
    sa.Column("area_kind", sa.String(20)),
    sa.Column("legacy_given", sa.String(200)),
    sa.Column("households", sa.Integer),
    sa.Column("population", sa.Integer),
    sa.Column("has_mediation_team", sa.Boolean),
    sa.Column("mediation_members", sa.Integer),
    sa.Column("has_security_team", sa.Boolean),
    sa.Column("security_members", sa.Integer),
    sa.UniqueConstraint("year", "commune_code", "area_key", name="uq_residential_areas_business_key"),
)

DATASET_TABLES: dict[str, sa.Table] = {
    domain.DATASET_MODELS: models,
    domain.DATASET_INCIDENTS: incidents,
    domain.DATASET_RECOGNITIONS: recognitions,
    domain.DATASET_RESIDENTIAL_AREAS: residential_areas,
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

#: The admin's yearly lists of hot-spot communes ("địa bàn trọng điểm, phức tạp về an ninh, trật tự",
#: migration 0009). Every save of a year's list is a new version holding the whole list; nothing
#: is updated or deleted, so every earlier list stays readable with who saved it and when.
HOT_SPOT_TEXT_MAX = 500
hot_spot_versions = sa.Table(
    "hot_spot_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("year", sa.Integer, nullable=False, index=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(USER_NAME_MAX), nullable=False),
    sa.Column("note", sa.Text),
    sa.UniqueConstraint("year", "version", name="uq_hot_spot_versions_year_version"),
)
hot_spot_entries = sa.Table(
    "hot_spot_entries",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("version_id", sa.Integer, sa.ForeignKey("hot_spot_versions.id"), nullable=False, index=True),
    sa.Column("commune_code", sa.String(5), nullable=False),
    sa.Column("vintage", sa.String(10), nullable=False),
    sa.Column("reason", sa.String(HOT_SPOT_TEXT_MAX), nullable=False),
    sa.Column("decision", sa.String(HOT_SPOT_TEXT_MAX), nullable=False),
    sa.UniqueConstraint("version_id", "vintage", "commune_code", name="uq_hot_spot_entries_version_commune"),
)
