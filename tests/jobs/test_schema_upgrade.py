"""The job database schema under Alembic (jobs/schema.py, jobs/migrations/), on SQLite and
PostgreSQL (a private schema per test; skipped, saying why, when the server is down):

- a database the release before Alembic made (its models: release_schema.py, create_all),
  holding one job in every state with candidates / ocr / build_info JSON, files on disk and
  audit rows, is adopted by opening a Store: stamped 0001, upgraded to the head; every job,
  every column, every file and every audit row is still there and readable through the
  store, the new column exists and works, and the schema equals the models';
- revision 0001 makes exactly the tables that release's create_all made;
- an empty database gets the head schema; opening a current one again runs one query;
- two processes opening the same fresh database at once both succeed, migrating once.
"""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import release_schema as rel
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, event, inspect, select, text
from sqlalchemy.orm import Session

from jobs import files, schema
from jobs import store as q

HERE = Path(__file__).parent
REPO = HERE.parents[1]
UTC = dt.UTC


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, var):
    """(engine name, url) of an empty database."""
    var.mkdir(parents=True, exist_ok=True)
    if request.param == "sqlite":
        yield "sqlite", f"sqlite:///{var / 'kiosk.db'}"
    else:
        yield "postgresql", request.getfixturevalue("pg_url")


def _versions(url) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as c:
            return list(c.execute(text("SELECT version_num FROM alembic_version")).scalars())
    finally:
        engine.dispose()


def _schema_diff(url) -> list:
    """What alembic's autogenerate would change to make the database equal the models."""
    engine = create_engine(url)
    try:
        with engine.connect() as c:
            return compare_metadata(MigrationContext.configure(c), q.Base.metadata)
    finally:
        engine.dispose()


# -- a database the previous release made, with one job in every state -----------------------

def _t(minute: int, second: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, 20, 9, minute, second, 123456, tzinfo=UTC)


def _write(rel_path: str, data: bytes) -> str:
    p = files.var_dir() / rel_path
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)
    return rel_path


def _release_job(i: int, state: str) -> dict:
    """Every column of the release's kiosk_jobs, as its worker and build step wrote them."""
    jid = i + 1
    d = f"jobs/{jid}"
    cands = []
    for k in range(2):
        checks = [{"expected": "天路", "read": "天路" if k == 0 else "天跆", "exact": k == 0,
                   "ned": 0.0 if k == 0 else 0.5, "confidence": 0.91, "box": [1, 2, 3, 4]}]
        cands.append({"seed": 100 * jid + k,
                      "path": _write(f"{d}/candidate_{k}.png", f"png {jid}/{k}".encode()),
                      "checks": checks, "all_exact": k == 0, "mean_ned": 0.0 if k == 0 else 0.5})
    art = _write(f"{d}/art.png", f"art of job {jid}".encode())
    pdf = _write(f"{d}/product.pdf", f"%PDF job {jid}".encode())
    sheet = _write(f"{d}/sheet.pdf", f"%PDF sheet {jid}".encode())
    proofs = {"front": _write(f"{d}/proof_front.png", f"front {jid}".encode()),
              "back": _write(f"{d}/proof_back.png", f"back {jid}".encode())}
    build_info = {
        "generation": {"steps": 20, "seconds": 3.5, "backend_reason": "configured",
                       "size": [768, 512]},
        "build": {"builder": "products.build", "pages": 2, "layout": "postcard-a6",
                  "notes": ["bleed 3 mm"], "content_id": f"c{jid:04d}",
                  "preflight": {"available": True, "ok": i % 2 == 0, "file": pdf, "pages": 2,
                                "mode": "CMYK", "output_intent": "FOGRA39",
                                "issues": [{"severity": "warning", "code": "font.subset",
                                            "page": 1, "message": "subset font"}]},
                  "sheet": {"sheets": 1, "pieces": 4, "notes": ["sra3"]}},
    }
    working = state in q.WORKING
    design = {"version": 1, "motif": "sunbird", "seed": jid,
              "lines": [{"text": "天路", "box": [0.3, 0.1, 0.4, 0.1]}]}
    return {
        "id": jid, "ticket": q.ticket_label(jid), "ticket_day": "2026-11-20", "ticket_seq": jid,
        "created_at": _t(i), "updated_at": _t(i, 30),
        "source": "cli" if i % 3 == 0 else "kiosk", "session_id": f"sess-{jid}",
        "design": design, "size": "768x512", "n_candidates": 2, "auto_choose": i % 2 == 1,
        "backend": "procedural", "candidates": cands, "chosen": 0, "ocr": cands[0]["checks"],
        "art_path": art, "pdf_path": pdf, "sheet_path": sheet, "proof_paths": proofs,
        "build_info": build_info, "state": state,
        "reject_reason": "blurry text" if state == q.REJECTED else None,
        "error": "out of memory" if state == q.FAILED else None,
        "progress_done": 1, "progress_total": 2, "progress_message": f"step of {state}",
        "attempts": 1 + i % 3, "lease_owner": f"host:{100 + i}:w" if working else None,
        "heartbeat_at": _t(i, 45) if working else None,
        "cancel_requested": state == q.CANCELLED,
        "started_at": _t(i, 5), "generated_at": _t(i, 10), "finished_at": _t(i, 20),
        "worker": f"host:{200 + i}:w", "print_count": 1 if state == q.PRINTED else 0,
        "printed_at": _t(i, 50) if state == q.PRINTED else None,
        "print_error": "printer offline" if state == q.APPROVED else None,
    }


def _audit_rows(jobs: list[dict]) -> list[dict]:
    rows = []
    for j in jobs:
        rows.append({"at": j["created_at"], "actor": "kiosk", "action": "submitted",
                     "job_id": j["id"],
                     "detail": {"ticket": j["ticket"], "source": j["source"], "n": 2}})
        rows.append({"at": j["updated_at"], "actor": f"host:{j['id']}:w", "action": "claimed",
                     "job_id": j["id"],
                     "detail": {"attempts": j["attempts"], "step": "generate"}})
    rows.append({"at": _t(59), "actor": "staff", "action": "login_failed", "job_id": None,
                 "detail": {"account": "anna", "failures": 5, "locked_until": None}})
    rows.append({"at": _t(59, 30), "actor": "recovery", "action": "note", "job_id": None,
                 "detail": None})
    return [{"id": n, **r} for n, r in enumerate(rows, start=1)]


def _make_release_database(url) -> tuple[list[dict], list[dict]]:
    engine = create_engine(url)
    rel.create_release_schema(engine)
    jobs = [_release_job(i, state) for i, state in enumerate(q.STATES)]
    audit = _audit_rows(jobs)
    with Session(engine) as s:
        # ids come from the database, as they did in the release (on PostgreSQL, its sequence)
        for j in jobs:
            row = rel.Job(**{k: v for k, v in j.items() if k != "id"})
            s.add(row)
            s.flush()
            assert row.id == j["id"]
        for a in audit:
            row = rel.AuditLog(**{k: v for k, v in a.items() if k != "id"})
            s.add(row)
            s.flush()
            assert row.id == a["id"]
        s.add(rel.LoginThrottle(account="anna", failures=5,
                                locked_until=dt.datetime.now(UTC) + dt.timedelta(hours=1),
                                last_failure_at=_t(59)))
        s.commit()
    engine.dispose()
    return jobs, audit


def _raw_rows(url, model) -> list[dict]:
    """Every column of every row, read with the release's own column types."""
    engine = create_engine(url)
    try:
        with Session(engine) as s:
            cols = model.__table__.columns
            order = model.__table__.primary_key
            return [dict(r._mapping) for r in s.execute(select(*cols).order_by(*order))]
    finally:
        engine.dispose()


def test_release_database_is_adopted_without_losing_anything(db):
    _name, url = db
    jobs, audit = _make_release_database(url)
    raw_before = {m.__tablename__: _raw_rows(url, m)
                  for m in (rel.Job, rel.AuditLog, rel.LoginThrottle)}
    assert len(raw_before["kiosk_jobs"]) == len(q.STATES)
    blobs = {p: (files.var_dir() / p).read_bytes()
             for p in (files.var_dir() / "jobs").rglob("*") if p.is_file()}

    store = q.Store(url)
    try:
        # the version and the new column
        assert _versions(url) == [schema.head_revision()]
        engine = create_engine(url)
        with engine.connect() as c:
            cols = {col["name"]: col for col in inspect(c).get_columns("kiosk_jobs")}
        engine.dispose()
        assert "approval_override" in cols and cols["approval_override"]["nullable"]
        assert "edit_request" in cols and cols["edit_request"]["nullable"]
        assert _schema_diff(url) == []

        # every stored value, column by column, exactly as the release wrote it
        raw_after = {m.__tablename__: _raw_rows(url, m)
                     for m in (rel.Job, rel.AuditLog, rel.LoginThrottle)}
        assert raw_after == raw_before
        for j in raw_after["kiosk_jobs"]:
            assert set(j) == {c.name for c in rel.Job.__table__.columns}

        # ... and readable through the store, typed
        listed = store.list_jobs(limit=1000)
        assert [j.id for j in listed] == [j["id"] for j in jobs]
        assert [j.state for j in listed] == list(q.STATES)
        plain = {"id", "ticket", "state", "created_at", "updated_at", "source", "session_id",
                 "design", "size", "n_candidates", "auto_choose", "backend", "chosen",
                 "art_path", "pdf_path", "sheet_path", "proof_paths", "reject_reason", "error",
                 "progress_done", "progress_total", "progress_message", "attempts",
                 "lease_owner", "heartbeat_at", "cancel_requested", "started_at",
                 "generated_at", "finished_at", "worker", "print_count", "printed_at",
                 "print_error"}
        for want, from_list in zip(jobs, listed):
            got = store.get(want["id"])
            assert got == from_list
            for f in plain:
                assert getattr(got, f) == want[f], (want["state"], f)
            assert got.approval_override is None and got.edit_request is None
            assert [c.model_dump(include={"seed", "path", "all_exact", "mean_ned"})
                    for c in got.candidates] == [
                {k: c[k] for k in ("seed", "path", "all_exact", "mean_ned")}
                for c in want["candidates"]]
            assert [[ch.read for ch in c.checks] for c in got.candidates] == [
                [ch["read"] for ch in c["checks"]] for c in want["candidates"]]
            assert [(c.expected, c.read, c.exact) for c in got.ocr] == [
                (c["expected"], c["read"], c["exact"]) for c in want["ocr"]]
            gen, build = want["build_info"]["generation"], want["build_info"]["build"]
            assert got.generation.backend_reason == gen["backend_reason"]
            assert got.generation.size == tuple(gen["size"])
            assert (got.build.pages, got.build.layout, got.build.content_id, got.build.notes) == (
                build["pages"], build["layout"], build["content_id"], build["notes"])
            assert got.build.preflight.ok == build["preflight"]["ok"]
            assert [i.code for i in got.build.preflight.issues] == ["font.subset"]
            assert (got.build.sheet.sheets, got.build.sheet.pieces) == (1, 4)
            assert got.ocr_ok is True and got.approval_blocks() == []
            assert store.find(want["ticket"]).id == want["id"]
            # every file the row points at is still there, with its content
            refs = [got.art_path, got.pdf_path, got.sheet_path, *got.proof_paths.values(),
                    *(c.path for c in got.candidates)]
            assert len(refs) == 7
            for r in refs:
                assert files.exists(r) and files.resolve(r).read_bytes() == blobs[files.resolve(r)]
        assert store.counts() == {s: 1 for s in q.STATES}

        # the audit log, newest first, every row
        entries = store.audit_log(limit=1000)
        assert [(e.id, e.at, e.actor, e.action, e.job_id, e.detail) for e in reversed(entries)] == [
            (a["id"], a["at"], a["actor"], a["action"], a["job_id"], a["detail"] or {})
            for a in audit]
        assert [e.action for e in store.audit_log(job_id=1)] == ["claimed", "submitted"]
        assert store.locked_until("anna") is not None

        # the store works on the adopted database, new column included
        ready = next(j for j in listed if j.state == q.READY)
        with store.session_scope() as s:   # make its check fail: approving needs an override
            job = s.get(q.Job, ready.id)
            job.ocr = [{**job.ocr[0], "read": "天跆", "exact": False}]
        with pytest.raises(q.ApprovalBlocked):
            store.approve(ready.id, actor="staff")
        approved = store.approve(ready.id, actor="staff", override="visitor accepts it")
        assert approved.approval_override.reason == "visitor accepts it"
        assert store.get(ready.id).approval_override == approved.approval_override
        new = store.submit({"version": 1, "motif": "sunbird"}, actor="test")
        assert new.id == len(q.STATES) + 1
    finally:
        store.dispose()


def test_revision_0001_is_the_release_schema(db):
    """Stamping a release database 0001 is right only if 0001 builds the same tables."""
    name, url = db
    engine = create_engine(url)
    try:
        rel.create_release_schema(engine)
        release = _snapshot(engine)
        if name == "sqlite":
            release_sql = _sqlite_master(engine)
        rel.Base.metadata.drop_all(engine)
        with engine.begin() as c:
            command.upgrade(schema.alembic_config(c), "0001")
        assert _snapshot(engine) == release
        if name == "sqlite":   # the very same CREATE statements
            assert _sqlite_master(engine) == release_sql
        with engine.connect() as c:
            assert compare_metadata(MigrationContext.configure(c), rel.Base.metadata) == []
    finally:
        engine.dispose()


def _sqlite_master(engine):
    with engine.connect() as c:
        return sorted(c.execute(text("SELECT type, name, tbl_name, sql FROM sqlite_master "
                                     "WHERE tbl_name != 'alembic_version'")).all())


def _snapshot(engine) -> dict:
    """Tables, columns (type, nullability, default), keys, indexes, as the database says."""
    with engine.connect() as c:
        insp = inspect(c)
        out = {}
        for t in sorted(n for n in insp.get_table_names() if n != "alembic_version"):
            out[t] = {
                "columns": [(col["name"], str(col["type"]), col["nullable"], col.get("default"))
                            for col in insp.get_columns(t)],
                "pk": insp.get_pk_constraint(t),
                "fks": sorted(map(repr, insp.get_foreign_keys(t))),
                "indexes": sorted(map(repr, insp.get_indexes(t))),
                "unique": sorted(map(repr, insp.get_unique_constraints(t))),
            }
        return out


def test_development_database_without_version_is_adopted(var):
    """A database the interim create_all made (already with approval_override): stamped."""
    var.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{var / 'kiosk.db'}"
    engine = create_engine(url)
    q.Base.metadata.create_all(engine)
    engine.dispose()
    store = q.Store(url)
    try:
        assert _versions(url) == [schema.head_revision()]
        assert store.submit({"version": 1}, actor="test").id == 1
    finally:
        store.dispose()


def test_a_0002_database_gets_the_edit_request_column(db):
    """Revision 0003 on a database at 0002 with a job waiting for its choice: the job is
    kept, reads no pending edit, and can then be edited."""
    _name, url = db
    engine = create_engine(url)
    try:
        with engine.begin() as c:
            command.upgrade(schema.alembic_config(c), "0002")
    finally:
        engine.dispose()
    store = q.Store(url)
    try:
        assert _versions(url) == ["0003"] and _schema_diff(url) == []
        job = store.submit({"version": 1, "lines": []}, actor="test")
        with store.session_scope() as s:
            row = s.get(q.Job, job.id)
            row.state, row.candidates = q.AWAITING_CHOICE, [{"seed": 1, "path": "a.png"}]
        assert store.get(job.id).edit_request is None
        from jobs.records import EditRequest
        got = store.request_edit(job.id, EditRequest(base=0, lines=[{"text": "平安"}]))
        assert got.state == q.QUEUED and store.get(job.id).edit_request.lines == [{"text": "平安"}]
    finally:
        store.dispose()


# -- empty and current databases ---------------------------------------------------------------

def test_empty_database_gets_the_head_schema_and_reopening_is_one_query(db, monkeypatch):
    _name, url = db
    store = q.Store(url)
    try:
        assert _versions(url) == [schema.head_revision()]
        assert _schema_diff(url) == []
        assert store.submit({"version": 1}, actor="test").ticket == "A-001"
    finally:
        store.dispose()

    def refuse(*a, **k):
        raise AssertionError("a current database must not be migrated again")

    monkeypatch.setattr(schema.command, "upgrade", refuse)
    monkeypatch.setattr(schema.command, "stamp", refuse)
    q.Store(url).dispose()          # a second Store: no migration

    engine = q.make_engine(url)     # the store's own engine: count what upgrade() sends
    statements = []
    event.listen(engine, "before_cursor_execute",
                 lambda conn, cur, stmt, *a: statements.append(stmt))
    try:
        schema.upgrade(engine)
    finally:
        engine.dispose()
    assert [s for s in statements if not s.startswith("BEGIN")] == [
        "SELECT version_num FROM alembic_version"]
    assert _versions(url) == [schema.head_revision()]


def test_head_is_the_last_migration():
    assert schema.head_revision() == "0003"
    versions = sorted(p.name for p in (schema.MIGRATIONS / "versions").glob("*.py"))
    assert versions == ["0001_release_schema.py", "0002_approval_override.py",
                        "0003_edit_request.py"]


# -- several processes at once -----------------------------------------------------------------

OPENER = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    from jobs import schema
    from jobs.store import Store

    url, log, go = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    real_upgrade = schema.command.upgrade

    def upgrade(cfg, rev):
        with open(log, "a") as f:
            f.write(f"{os.getpid()}\\n")
        time.sleep(1.0)              # hold the lock a while: the other process must wait
        real_upgrade(cfg, rev)

    schema.command.upgrade = upgrade
    (log.parent / f"ready-{os.getpid()}").touch()
    while not go.exists():
        time.sleep(0.005)
    store = Store(url)
    print("opened")
    store.dispose()
""")


def test_two_processes_open_a_fresh_database_at_once(db, tmp_path):
    _name, url = db
    work = tmp_path / "race"
    work.mkdir()
    log, go = work / "migrated", work / "go"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(HERE)])}
    procs = [subprocess.Popen([sys.executable, "-c", OPENER, url, str(log), str(go)], cwd=REPO,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
             for _ in range(2)]
    try:
        end = time.monotonic() + 60
        while len(list(work.glob("ready-*"))) < 2:
            assert time.monotonic() < end, "the opener processes did not start"
            assert all(p.poll() is None for p in procs), [p.communicate()[0] for p in procs]
            time.sleep(0.02)
        go.touch()
        outs = [p.communicate(timeout=120)[0].decode() for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    assert [p.returncode for p in procs] == [0, 0], outs
    assert len(log.read_text().split()) == 1, "the migrations ran more than once"
    assert _versions(url) == [schema.head_revision()]
    assert _schema_diff(url) == []
