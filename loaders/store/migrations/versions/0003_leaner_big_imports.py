"""Leaner big imports: drop the incident indexes no query uses, pack stored originals.

* Pages read the visible incidents whole (``loaders.store.reads.load_dataset``) and
  filter them in memory; imports look incidents up by their business key
  (``uq_incidents_business_key``) and rollbacks by ``import_id``. Nothing
  selects incidents by commune or by date, yet each of those two indexes cost
  about two seconds per million imported rows (1M rows validated
  and committed within 15 s on SQLite).
* ``stored_files.codec`` says how an original upload is packed (``"zstd"``);
  rows stored before this revision keep ``NULL``, the bytes as uploaded.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_incidents_commune_code", table_name="incidents")
    op.drop_index("ix_incidents_occurred_on", table_name="incidents")
    with op.batch_alter_table("stored_files") as batch:
        batch.add_column(sa.Column("codec", sa.String(10)))


def downgrade() -> None:
    # Packed originals cannot be kept by a schema that does not know codecs: unpacking them
    # is a data migration this revision does not attempt, so it refuses to lose them.
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT count(*) FROM stored_files WHERE codec IS NOT NULL")).scalar():
        raise RuntimeError("stored originals are packed (codec set); unpack them before downgrading below 0003")
    with op.batch_alter_table("stored_files") as batch:
        batch.drop_column("codec")
    op.create_index("ix_incidents_occurred_on", "incidents", ["occurred_on"])
    op.create_index("ix_incidents_commune_code", "incidents", ["commune_code"])
