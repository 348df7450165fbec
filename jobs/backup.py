"""Backup and restore of a kiosk: the job database and the job files in one tar archive,
taken while the kiosk runs.

    kiosk-backup.json   what is inside (engine, job count, the PostgreSQL schema)
    db/kiosk.db         SQLite: a consistent copy by SQLite's online backup API
    db/kiosk.sql        PostgreSQL: `pg_dump --data-only` of the kiosk tables (the schema
                        itself is made by jobs/schema.py on restore, like on a fresh install)
    var/jobs/<id>/...   every job's files (art, PDFs, proofs)

The database is copied first, then the files: every file a copied row names was already
written (files are written before the row points at them), so the archive is consistent.
Restore goes into an empty database and var folder; a database with jobs is refused unless
`force`, which replaces its jobs.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, func, select, text
from sqlalchemy.engine import make_url

from base.errors import KioskError
from base.settings import settings
from jobs import files
from jobs.store import AuditLog, Job, LoginThrottle, Store

MANIFEST = "kiosk-backup.json"
TABLES = ("kiosk_jobs", "kiosk_audit", "kiosk_login_throttle")
PG_TIMEOUT = 600


class BackupError(KioskError):
    """A backup could not be written or restored."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    engine: str
    jobs: int
    files: int
    size: int = 0
    removed: list[Path] = field(default_factory=list)


def _libpq(url: str) -> tuple[str, dict]:
    """SQLAlchemy URL -> (libpq URL for pg_dump/psql, environment with the password)."""
    u = make_url(url)
    env = dict(os.environ)
    if u.password:
        env["PGPASSWORD"] = str(u.password)
    plain = u.set(drivername="postgresql", password=None)
    query = {k: v for k, v in plain.query.items() if k in ("options", "application_name",
                                                          "sslmode", "host", "port")}
    return plain.set(query=query).render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"`{name}` is not installed (apt-get install postgresql-client)",
                          f"未安装 {name}（apt-get install postgresql-client）")
    return path


def _run(cmd: list[str], env: dict, what: str) -> subprocess.CompletedProcess:
    try:
        res = subprocess.run(cmd, env=env, capture_output=True, timeout=PG_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise BackupError(f"{what} did not finish within {PG_TIMEOUT} s", f"{what} 超时") from None
    if res.returncode != 0:
        why = res.stderr.decode(errors="replace").strip().splitlines()
        raise BackupError(f"{what} failed: {why[-1] if why else res.returncode}", f"{what} 失败")
    return res


def _archive_path(out: str | Path) -> Path:
    out = Path(out)
    if out.is_dir() or str(out).endswith("/"):
        out.mkdir(parents=True, exist_ok=True)
        return out / f"kiosk-{dt.datetime.now():%Y%m%d-%H%M%S}.tar"
    return out


def _count_jobs(store: Store) -> int:
    with store.session_scope(write=False) as s:
        return s.scalar(select(func.count()).select_from(Job)) or 0


def backup(out: str | Path, *, keep: int | None = None) -> BackupResult:
    """Write the archive (`out` is a .tar path, or a folder for a dated name; `keep`: in a
    folder, remove all but the newest `keep` kiosk-*.tar)."""
    path = _archive_path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    url = settings().database_url()
    store = Store(url)      # also brings an old schema up to date, so restore sees the head
    try:
        engine = store.engine.dialect.name
        manifest = {"version": 1, "created": dt.datetime.now(dt.timezone.utc).isoformat(),
                    "engine": engine}
        tmp = path.with_name(f".{path.name}.part")
        with tempfile.TemporaryDirectory(prefix="kiosk-backup-") as work, \
                tarfile.open(tmp, "w") as tar:
            if engine == "sqlite":
                db = Path(work) / "kiosk.db"
                src = sqlite3.connect(make_url(url).database, timeout=30)
                dst = sqlite3.connect(db)
                with dst:
                    src.backup(dst)     # online and consistent, while the kiosk writes
                src.close()
                jobs = dst.execute("SELECT count(*) FROM kiosk_jobs").fetchone()[0]
                dst.close()
                tar.add(db, "db/kiosk.db")
            elif engine == "postgresql":
                with store.session_scope(write=False) as s:
                    schema = s.scalar(text("SELECT current_schema()"))
                jobs = _count_jobs(store)
                libpq, env = _libpq(url)
                cmd = [_tool("pg_dump"), "--data-only", "--no-owner", "--no-privileges",
                       "-d", libpq]
                for t in TABLES:
                    cmd += ["-t", f'"{schema}"."{t}"']
                dump = _run(cmd, env, "pg_dump").stdout
                _add_bytes(tar, "db/kiosk.sql", dump)
                manifest["schema"] = schema
            else:
                raise BackupError(f"backup knows SQLite and PostgreSQL, not {engine}",
                                  f"不支持的数据库 {engine}")
            n_files = 0
            root = files.var_dir()
            jobs_dir = root / "jobs"
            for p in sorted(jobs_dir.rglob("*")) if jobs_dir.exists() else []:
                if p.is_file() and not p.name.startswith("."):
                    tar.add(p, f"var/{p.relative_to(root).as_posix()}", recursive=False)
                    n_files += 1
            manifest.update(jobs=jobs, files=n_files)
            _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=1).encode())
        os.replace(tmp, path)
    finally:
        store.dispose()
    removed = _prune(path.parent, keep) if keep else []
    return BackupResult(path, engine, jobs, n_files, path.stat().st_size, removed)


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(dt.datetime.now().timestamp()), 0o644
    tar.addfile(info, io.BytesIO(data))


def _prune(folder: Path, keep: int) -> list[Path]:
    old = sorted(folder.glob("kiosk-*.tar"))[:-keep]
    for p in old:
        p.unlink()
    return old


def restore(archive: str | Path, *, force: bool = False) -> BackupResult:
    """Bring the archive back into the database and var folder of the settings."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"no backup file {archive}", f"找不到备份文件 {archive}", field="archive")
    try:
        tar = tarfile.open(archive, "r")
    except tarfile.TarError as exc:
        raise BackupError(f"{archive} is not a kiosk backup: {exc}", f"{archive} 不是备份文件") from None
    with tar:
        try:
            manifest = json.load(tar.extractfile(MANIFEST))
        except (KeyError, ValueError):
            raise BackupError(f"{archive} is not a kiosk backup (no {MANIFEST})",
                              f"{archive} 不是备份文件") from None
        url = settings().database_url()
        store = Store(url)
        try:
            target = store.engine.dialect.name
            if target != manifest["engine"]:
                raise BackupError(f"the backup is of a {manifest['engine']} database, "
                                  f"the database here is {target}", "备份与目标数据库类型不同")
            existing = _count_jobs(store)
            job_files = files.var_dir() / "jobs"
            has_files = job_files.exists() and any(job_files.iterdir())
            if (existing or has_files) and not force:
                what = (f"the database already has {existing} job(s)" if existing else
                        f"{job_files} is not empty")
                raise BackupError(f"{what}: restore --force replaces them",
                                  "目标不为空：用 --force 覆盖", field="force")
            if target == "sqlite":
                store.dispose()
                with tempfile.TemporaryDirectory(prefix="kiosk-restore-") as work:
                    tar.extract("db/kiosk.db", work, filter="data")
                    src = sqlite3.connect(Path(work) / "db" / "kiosk.db")
                    dst = sqlite3.connect(make_url(url).database, timeout=30)
                    with dst:
                        src.backup(dst)   # replaces the whole database, WAL included
                    src.close()
                    dst.close()
            else:
                _restore_pg(store, url, tar.extractfile("db/kiosk.sql").read(),
                            manifest.get("schema"))
                store.dispose()
            if force and job_files.exists():
                shutil.rmtree(job_files)
            n_files = 0
            root = files.var_dir()
            for member in tar.getmembers():
                if member.name.startswith("var/jobs/") and member.isfile():
                    member = member.replace(name=member.name[len("var/"):])
                    tar.extract(member, root, filter="data")
                    n_files += 1
            store = Store(url)    # upgrades a backup of an older release
            jobs = _count_jobs(store)
        finally:
            store.dispose()
    return BackupResult(archive, target, jobs, n_files, archive.stat().st_size)


def _restore_pg(store: Store, url: str, dump: bytes, source_schema: str | None) -> None:
    with store.session_scope() as s:
        schema = s.scalar(text("SELECT current_schema()"))
        for model in (AuditLog, LoginThrottle, Job):    # --force: the old jobs go
            s.execute(delete(model))
    sql = dump.decode()
    if source_schema and source_schema != schema:
        # the dump names its tables with their schema; point them at this database's
        lines = []
        for line in sql.splitlines(keepends=True):
            if line.startswith(("COPY ", "SELECT pg_catalog.setval(")):
                line = (line.replace(f'"{source_schema}".', f'"{schema}".')
                        .replace(f"{source_schema}.", f"{schema}."))
            lines.append(line)
        sql = "".join(lines)
    libpq, env = _libpq(url)
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
        f.write(sql)
    try:
        _run([_tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", libpq, "-f", f.name],
             env, "psql")
    finally:
        os.unlink(f.name)
