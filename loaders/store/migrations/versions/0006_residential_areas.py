"""Residential areas (thôn, tổ dân phố) as a dataset.

One new table, ``residential_areas``: a commune's yearly list of its areas,
with households, population and the two grassroots teams. Existing tables are
untouched, so a store upgrades without changing a row.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "residential_areas",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.id", ondelete="CASCADE"), nullable=False),
        sa.Column("commune_code", sa.String(5), nullable=False),
        sa.Column("legacy_code", sa.String(5)),
        sa.Column("vintage", sa.String(10), nullable=False),
        sa.Column("code_given", sa.String(50)),
        sa.Column("name_given", sa.String(200)),
        sa.Column("district_given", sa.String(200)),
        sa.Column("source_row", sa.Integer),
        sa.Column("year", sa.Integer, nullable=False),
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
    op.create_index("ix_residential_areas_import_id", "residential_areas", ["import_id"])
    op.create_index("ix_residential_areas_commune_code", "residential_areas", ["commune_code"])
    op.create_index("ix_residential_areas_year", "residential_areas", ["year"])


def downgrade() -> None:
    op.drop_index("ix_residential_areas_year", table_name="residential_areas")
    op.drop_index("ix_residential_areas_commune_code", table_name="residential_areas")
    op.drop_index("ix_residential_areas_import_id", table_name="residential_areas")
    op.drop_table("residential_areas")
