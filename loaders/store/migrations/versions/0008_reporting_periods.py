"""What each incidents import reports: months and communes.

* ``import_reports``: one row per (import, month, 2025 commune) that an
  incidents import reports. A reported commune-month with no incident counts 0;
  a commune-month no visible import reported is "chưa báo cáo", not zero.
* Backfill: an incidents import stored before this revision reports every month
  from its first row's month to its last row's month, for the communes of its
  rows, which is what an import without an explicit reporting period reports now.
  Rolled-back imports have no rows left and so report nothing.

Revision ID: 0008
Revises: 0007
"""

from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

#: Rows per INSERT of the backfill.
_BATCH = 10_000


def upgrade() -> None:
    reports = op.create_table(
        "import_reports",
        sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("month", sa.Date, primary_key=True),
        sa.Column("commune_code", sa.String(5), primary_key=True),
    )
    # The incidents table as this revision knows it (never the live schema).
    incidents = sa.table(
        "incidents",
        sa.column("import_id", sa.Integer),
        sa.column("commune_code", sa.String),
        sa.column("occurred_on", sa.Date),
    )
    bind = op.get_bind()
    spans: dict[int, tuple[date, date, set[str]]] = {}
    query = sa.select(
        incidents.c.import_id,
        incidents.c.commune_code,
        sa.func.min(incidents.c.occurred_on),
        sa.func.max(incidents.c.occurred_on),
    ).group_by(incidents.c.import_id, incidents.c.commune_code)
    for import_id, code, first, last in bind.execute(query):
        first, last = _as_date(first), _as_date(last)
        if import_id in spans:
            lo, hi, codes = spans[import_id]
            spans[import_id] = (min(lo, first), max(hi, last), codes | {code})
        else:
            spans[import_id] = (first, last, {code})
    rows = [
        {"import_id": import_id, "month": month, "commune_code": code}
        for import_id, (first, last, codes) in sorted(spans.items())
        for month in _months(first, last)
        for code in sorted(codes)
    ]
    for start in range(0, len(rows), _BATCH):
        op.bulk_insert(reports, rows[start : start + _BATCH])


def downgrade() -> None:
    op.drop_table("import_reports")


def _as_date(value: object) -> date:
    # SQLite returns the ISO text of an aggregate over a date column on some drivers.
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _months(first: date, last: date) -> list[date]:
    """First days of the months from ``first``'s month to ``last``'s, both included."""
    out = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        out.append(date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out
