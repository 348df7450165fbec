"""Alembic environment of the job database (jobs/schema.py runs it; see its docstring).

jobs.schema.upgrade passes the Store's own connection, already inside a transaction and
holding the migration lock, in `config.attributes["connection"]`; migrations run on it and
the caller commits. Run by hand (`alembic -c <ini> ...`, with sqlalchemy.url set), it opens
its own engine. Migrations are written by hand (op.create_table, op.add_column...): they do
not import jobs.store, so an old revision keeps meaning what it meant when it was written.
"""
from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True,
                      dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = engine_from_config(config.get_section(config.config_ini_section, {}),
                                prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as connection:
        _run(connection)
        connection.commit()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
