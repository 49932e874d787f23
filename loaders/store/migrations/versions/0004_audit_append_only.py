"""The audit log is append-only in the database itself.

The application never updates or deletes an audit entry, but anyone with a
connection to the store could. Triggers make the database refuse ``UPDATE``
and ``DELETE`` on ``events``, on SQLite and on PostgreSQL;
inserts are unaffected. A later batch operation that recreates ``events``
on SQLite must recreate these triggers too.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

#: The message the database raises; tests and operators recognise it.
MESSAGE = "events is append-only"

_SQLITE_TRIGGERS = {
    "events_no_update": "UPDATE",
    "events_no_delete": "DELETE",
}


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name, verb in _SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} BEFORE {verb} ON events BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")
        return
    op.execute(
        "CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$"
    )
    op.execute(
        "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events "
        "FOR EACH ROW EXECUTE FUNCTION events_append_only()"
    )
    # TRUNCATE bypasses row triggers; a statement trigger refuses it too.
    op.execute(
        "CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events "
        "FOR EACH STATEMENT EXECUTE FUNCTION events_append_only()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        return
    op.execute("DROP TRIGGER IF EXISTS events_no_truncate ON events")
    op.execute("DROP TRIGGER IF EXISTS events_append_only ON events")
    op.execute("DROP FUNCTION IF EXISTS events_append_only()")
