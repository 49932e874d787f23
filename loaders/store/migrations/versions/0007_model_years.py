"""Model ratings by year and suspension dates; the thôn a model runs in.

* ``models.rating_year``: a row is a model's record for one year, its rating and
  status that year, so next year's list adds records beside this year's. Rows
  stored before this revision hold for the year their import was committed
  in, as a file without the column does. The business key becomes commune,
  normalised name and year.
* ``models.suspended_on``: the date of a suspension, as ``dissolved_on`` is of a dissolution.
* ``models.area_name`` / ``area_key``: the thôn or tổ dân phố as written, and its loose key.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("models") as batch:
        batch.add_column(sa.Column("rating_year", sa.Integer))
        batch.add_column(sa.Column("suspended_on", sa.Date))
        batch.add_column(sa.Column("area_name", sa.String(200)))
        batch.add_column(sa.Column("area_key", sa.String(200)))
    bind = op.get_bind()
    # The year of the commit in Vietnam's time (UTC+7, no daylight saving), as an import's
    # year is read today (loaders.core.clock).
    if bind.dialect.name == "sqlite":
        # SQLAlchemy keeps SQLite times as UTC ISO text, "YYYY-MM-DD HH:MM:SS.ffffff".
        year = "CAST(strftime('%Y', substr(imports.created_at, 1, 19), '+7 hours') AS INTEGER)"
    else:
        year = "CAST(EXTRACT(YEAR FROM (imports.created_at AT TIME ZONE 'UTC') + INTERVAL '7 hours') AS INTEGER)"
    op.execute(f"UPDATE models SET rating_year = (SELECT {year} FROM imports WHERE imports.id = models.import_id)")
    with op.batch_alter_table("models") as batch:
        batch.alter_column("rating_year", existing_type=sa.Integer, nullable=False)
        batch.drop_constraint("uq_models_business_key", type_="unique")
        batch.create_unique_constraint("uq_models_business_key", ["commune_code", "name_key", "rating_year"])


def downgrade() -> None:
    # The older key holds one record per model: a store with several years of one model
    # cannot go back without dropping records, which this revision refuses to do.
    bind = op.get_bind()
    repeated = bind.execute(
        sa.text("SELECT count(*) FROM (SELECT 1 FROM models GROUP BY commune_code, name_key HAVING count(*) > 1) AS r")
    ).scalar()
    if repeated:
        raise RuntimeError("models hold records of several years; remove them before downgrading below 0007")
    with op.batch_alter_table("models") as batch:
        batch.drop_constraint("uq_models_business_key", type_="unique")
        batch.create_unique_constraint("uq_models_business_key", ["commune_code", "name_key"])
        batch.drop_column("area_key")
        batch.drop_column("area_name")
        batch.drop_column("suspended_on")
        batch.drop_column("rating_year")
