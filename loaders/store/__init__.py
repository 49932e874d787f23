"""The store: schema, engine, reads and the Alembic migrations."""
