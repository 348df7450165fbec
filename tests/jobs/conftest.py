"""Queue fixtures: a real store on SQLite (tmp_path) and on PostgreSQL (127.0.0.1, a private
schema per test, dropped afterwards). PostgreSQL tests skip, saying why, when it is down."""
from __future__ import annotations

import os
import uuid

import pytest

PG_BASE = os.environ.get("KIOSK_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

from queue_helpers import DESIGN  # noqa: F401  (re-exported for older imports)


@pytest.fixture
def var(tmp_path, monkeypatch):
    """A private var folder (files, hot folder, the default SQLite file)."""
    d = tmp_path / "var"
    monkeypatch.setenv("KIOSK_VAR", str(d))
    monkeypatch.delenv("KIOSK_DB_URL", raising=False)
    monkeypatch.delenv("KIOSK_PRINTER", raising=False)
    monkeypatch.delenv("KIOSK_HOTFOLDER", raising=False)
    monkeypatch.setenv("KIOSK_BACKEND", "procedural")
    return d


def _pg_schema_url():
    """(url with a fresh schema on its search_path, admin engine) or skip."""
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as c:
            c.execute(text("select 1"))
    except Exception as exc:
        admin.dispose()
        pytest.skip(f"PostgreSQL at {PG_BASE} is not reachable: {exc.__class__.__name__}")
    schema = f"kq_{uuid.uuid4().hex[:10]}"
    with admin.connect() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    # application_name lets a test drop exactly its own connections (pg_terminate_backend)
    return f"{PG_BASE}?options=-csearch_path%3D{schema}&application_name={schema}", schema, admin


@pytest.fixture
def pg_admin():
    """(url, schema, admin engine): the schema is also the connections' application_name."""
    from sqlalchemy import text

    url, schema, admin = _pg_schema_url()
    yield url, schema, admin
    with admin.connect() as c:
        c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def pg_url(var):
    from sqlalchemy import text

    url, schema, admin = _pg_schema_url()
    yield url
    with admin.connect() as c:
        c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, var):
    """The same tests on both engines."""
    from jobs.store import Store

    if request.param == "sqlite":
        s = Store()
        yield s
        s.dispose()
    else:
        url = request.getfixturevalue("pg_url")
        s = Store(url)
        yield s
        s.dispose()


@pytest.fixture
def sqlite_store(var):
    from jobs.store import Store

    s = Store()
    yield s
    s.dispose()
