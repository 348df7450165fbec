"""`python -m jobs backup` / `restore`: back up a queue with jobs in several states, wipe the
machine, restore: every job and file is back and the staff page opens them. SQLite (online
backup API) and PostgreSQL (pg_dump / psql); a database with jobs is not overwritten without
--force."""
from __future__ import annotations

import shutil
import tarfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from jobs import cli, files, staff, staff_auth
from jobs import store as q
from jobs.runner import submit_design
from jobs.worker import Worker
from queue_helpers import DESIGN

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "backup password 9"


def _fill(store) -> dict[int, q.JobInfo]:
    jobs = [submit_design(store, {**DESIGN, "seed": 20 + i}, n=1, size="768x512",
                          auto_choose=True, source="cli") for i in range(3)]
    Worker(store, backend="procedural").run_until_idle()
    staff.approve_and_print(store, jobs[0].id, actor="staff:Ann")
    store.reject(jobs[1].id, actor="staff:Ann", reason="blurred")
    return {j.id: store.get(j.id) for j in jobs}


def _job_files(job: q.JobInfo) -> list[str]:
    rels = [job.art_path, job.pdf_path, job.sheet_path, *job.proof_paths.values(),
            *(c.path for c in job.candidates)]
    return [r for r in rels if r]


def _check_restored(before: dict[int, q.JobInfo], store: q.Store) -> None:
    for job_id, old in before.items():
        new = store.get(job_id)
        assert (new.ticket, new.state, new.print_count, new.reject_reason) == \
               (old.ticket, old.state, old.print_count, old.reject_reason)
        assert new.design == old.design and new.ocr == old.ocr
        for rel in _job_files(old):
            assert files.exists(rel), rel
    assert store.audit_log(job_id=next(iter(before)), action="printed")


def _staff_opens(before: dict[int, q.JobInfo], store: q.Store, monkeypatch) -> None:
    """The staff page opens every restored job with its pictures, in the state it was in (a
    printed job still reads as sent to the hot folder: the audit log came back too)."""
    from kiosk.staff_words import state_words

    shown = staff.shown_states(store, list(before.values()))
    monkeypatch.setenv("KIOSK_STAFF_PASSWORD_HASH",
                       staff_auth.hash_password(PASSWORD, iterations=1000))
    at = AppTest.from_file(str(REPO / "kiosk" / "staff.py"), default_timeout=30).run()
    at.text_input(key="s_login_name").input("Ann")
    at.text_input(key="s_login_password").input(PASSWORD)
    at.button[0].click().run()
    for job_id, job in before.items():
        at.multiselect(key="s_filter").set_value(list(q.STATES)).run()
        at.button(key=f"s_open_{job_id}").click().run()
        assert not at.exception, [e.message for e in at.exception]
        assert [s.value for s in at.subheader] == [f"{job.ticket} · {state_words(shown[job_id])}"]
        assert len(at.image) >= 3         # art, front and back proofs from the files
        at.button(key="s_back").click().run()


def _wipe(var: Path) -> None:
    shutil.rmtree(var)


def test_sqlite_backup_wipe_restore(var, monkeypatch, tmp_path, capsys):
    store = q.Store()
    before = _fill(store)
    archive = tmp_path / "nightly.tar"
    assert cli.main(["backup", str(archive)]) == 0      # while the store is open (kiosk running)
    assert "3 job(s)" in capsys.readouterr().out
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "db/kiosk.db" in names and "kiosk-backup.json" in names
    assert all(f"var/{rel}" in names for job in before.values() for rel in _job_files(job))
    store.dispose()

    _wipe(var)                                          # a fresh machine: empty KIOSK_VAR
    assert cli.main(["restore", str(archive)]) == 0
    store = q.Store()
    _check_restored(before, store)
    _staff_opens(before, store, monkeypatch)

    # the restored queue has jobs now: restoring again is refused, unless --force
    capsys.readouterr()
    assert cli.main(["restore", str(archive)]) == 2
    assert "already has 3 job(s)" in capsys.readouterr().err
    submit_design(store, {**DESIGN, "seed": 99}, n=1, size="768x512", auto_choose=True, source="cli")
    assert cli.main(["restore", str(archive), "--force"]) == 0
    assert len(store.list_jobs()) == 3
    store.dispose()


def test_backup_into_a_folder_keeps_the_newest(var, tmp_path):
    store = q.Store()
    _fill(store)
    folder = tmp_path / "backups"
    folder.mkdir()
    for name in ("kiosk-20200101-000000.tar", "kiosk-20200102-000000.tar"):
        (folder / name).write_bytes(b"old")
    assert cli.main(["backup", str(folder), "--keep", "2"]) == 0
    kept = sorted(p.name for p in folder.glob("kiosk-*.tar"))
    assert len(kept) == 2 and kept[0] == "kiosk-20200102-000000.tar"
    store.dispose()


def test_restore_refuses_what_is_not_a_backup(var, tmp_path):
    bad = tmp_path / "x.tar"
    bad.write_bytes(b"not a tar")
    assert cli.main(["restore", str(bad)]) == 2
    assert cli.main(["restore", str(tmp_path / "missing.tar")]) == 2


def test_postgresql_backup_restore_into_a_fresh_database(var, pg_url, pg_admin, monkeypatch,
                                                         tmp_path):
    if not shutil.which("pg_dump") or not shutil.which("psql"):
        pytest.skip("pg_dump/psql are not installed (apt-get install postgresql-client)")
    monkeypatch.setenv("KIOSK_DB_URL", pg_url)
    store = q.Store()
    before = _fill(store)
    archive = tmp_path / "pg.tar"
    assert cli.main(["backup", str(archive)]) == 0
    store.dispose()

    _wipe(var)
    fresh_url, _, _ = pg_admin                        # another, empty database (schema)
    monkeypatch.setenv("KIOSK_DB_URL", fresh_url)
    assert cli.main(["restore", str(archive)]) == 0
    store = q.Store()
    _check_restored(before, store)
    # ids go on after the restored ones
    new = submit_design(store, {**DESIGN, "seed": 77}, n=1, size="768x512", auto_choose=True,
                        source="cli")
    assert new.id > max(before)
    assert cli.main(["restore", str(archive)]) == 2   # not empty any more
    _staff_opens(before, store, monkeypatch)
    store.dispose()
