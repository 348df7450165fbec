"""Schema of the job database, versioned with Alembic (jobs/migrations/, configured here).

To change the schema: add jobs/migrations/versions/NNNN_what.py with the next revision id
(down_revision = the current head), and change the model in jobs/store.py in the same commit.

`upgrade(engine)` (every Store calls it) brings a database to the head revision:

- empty database: runs every migration (0001 creates the tables);
- a database the release before Alembic made (kiosk_jobs, no alembic_version): stamps 0001,
  the schema that release's create_all made, then upgrades; nothing is copied or rewritten;
- a current database: one query (SELECT version_num FROM alembic_version) against the head,
  which is read from the script folder once per process.

One process migrates while the others wait: everything runs in ONE transaction on the
Store's own engine, which first takes the lock, then looks again (another process may have
finished meanwhile): on PostgreSQL pg_advisory_xact_lock(MIGRATION_LOCK) (released by the
commit or rollback; DDL is transactional there, so a failed migration leaves nothing half
done); on SQLite the store's engine begins every write transaction with BEGIN IMMEDIATE, the
database's single write lock (others wait up to its busy timeout).

This module must not import jobs.store (import-linter: no cycles): the migrations are the
schema, and a test checks that they equal the models.
"""
from __future__ import annotations

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
RELEASE_REVISION = "0001"          # the schema the release before Alembic created
MIGRATION_LOCK = 0x6B696F736B      # pg_advisory_xact_lock key ("kiosk")
VERSION_TABLE = "alembic_version"
# the column each later revision added, newest first: how an unversioned database is dated
COLUMN_REVISIONS = (("edit_request", "0003"), ("approval_override", "0002"))


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's Config for the job database, without an alembic.ini; with `connection`,
    env.py runs the migrations on it (inside the caller's transaction)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@functools.cache
def head_revision() -> str:
    """The newest revision (read from the script folder once per process)."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations in {MIGRATIONS / 'versions'}")
    return head


def current_revisions(engine: Engine) -> set[str] | None:
    """The database's revisions (one query), None when it has no version table."""
    # DEFERRED: a read does not take SQLite's write lock (the store's engine begins IMMEDIATE)
    with engine.connect().execution_options(sqlite_begin="DEFERRED") as conn:
        try:
            return set(conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars())
        except DBAPIError:
            return None


def upgrade(engine: Engine) -> None:
    """Bring the database to the head revision (see the module docstring)."""
    head = head_revision()
    if current_revisions(engine) == {head}:
        return
    with engine.begin() as conn:   # SQLite: BEGIN IMMEDIATE, the write lock
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        _migrate(conn, head)


def _migrate(conn: Connection, head: str) -> None:
    """Under the lock: look again, adopt a database made before Alembic, upgrade."""
    heads = set(MigrationContext.configure(conn).get_current_heads())
    if heads == {head}:
        return  # another process migrated while this one waited for the lock
    cfg = alembic_config(conn)
    if not heads:
        insp = inspect(conn)
        if insp.has_table("kiosk_jobs"):
            # made by create_all, before Alembic: the previous release (revision 0001), or a
            # development database create_all made with a later model (its newest column says which)
            cols = {c["name"] for c in insp.get_columns("kiosk_jobs")}
            stamp = next((rev for col, rev in COLUMN_REVISIONS if col in cols), RELEASE_REVISION)
            command.stamp(cfg, stamp)
    command.upgrade(cfg, "head")


__all__ = ["MIGRATIONS", "alembic_config", "current_revisions", "head_revision", "upgrade"]
