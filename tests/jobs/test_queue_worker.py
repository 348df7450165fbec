"""The generation worker on a real queue: order, progress, cancel, build, output, crash recovery."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from queue_helpers import DESIGN

from jobs.runner import submit_design
from jobs.worker import Worker
from jobs import files, staff
from jobs import store as q

HERE = Path(__file__).parent
REPO = HERE.parents[1]


def _design(text="天路", seed=7, product="postcard"):
    return {**DESIGN, "seed": seed, "product": product,
            "lines": [{"text": text, "box": [0.30, 0.08, 0.40, 0.12]}]}


def _wait(store, job_id, states, timeout=60):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        job = store.get(job_id)
        if job.state in states:
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} stuck in {store.get(job_id).state}")


def test_four_sessions_submitting_at_once_are_generated_in_order(store):
    worker = Worker(store, backend="procedural", poll_seconds=0.05).start()
    barrier, ids, lock = threading.Barrier(4), [], threading.Lock()

    def session(i):
        barrier.wait()
        job = submit_design(store, _design(seed=i), n=2, size="512x512", session_id=f"s{i}")
        with lock:
            ids.append(job.id)

    threads = [threading.Thread(target=session, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    try:
        jobs = [_wait(store, i, {q.AWAITING_CHOICE}) for i in sorted(ids)]
    finally:
        worker.stop()
    assert len(jobs) == 4 and len({j.ticket for j in jobs}) == 4
    by_created = sorted(jobs, key=lambda j: (j.created_at, j.id))
    by_generated = sorted(jobs, key=lambda j: j.generated_at)
    assert [j.id for j in by_created] == [j.id for j in by_generated]   # FIFO
    for j in jobs:
        assert j.backend == "procedural" and len(j.candidates) == 2
        assert j.progress_done == j.progress_total == 2
        assert all(files.exists(c.path) and c.checks for c in j.candidates)


def test_choose_build_approve_puts_pdf_in_hot_folder(sqlite_store, var):
    store = sqlite_store
    worker = Worker(store, backend="procedural", poll_seconds=0.05)
    job = submit_design(store, _design(product="bookmark"), n=2, size="256x768")
    assert worker.run_until_idle() == 1
    assert store.get(job.id).state == q.AWAITING_CHOICE
    store.choose(job.id, 1)
    worker.run_until_idle()
    job = store.get(job.id)
    assert job.state == q.READY and job.chosen == 1 and job.ocr == job.candidates[1].checks
    assert files.read_bytes(job.pdf_path)[:5] == b"%PDF-"
    job, err = staff.approve_and_print(store, job.id, actor="staff:ann")
    assert err is None and job.state == q.PRINTED
    (pdf,) = (var / "hotfolder").glob("*.pdf")
    assert job.ticket in pdf.name and pdf.read_bytes()[:5] == b"%PDF-"
    job, err = staff.reprint(store, job.id, actor="staff:ann")
    assert err is None and job.print_count == 2 and len(list((var / "hotfolder").glob("*.pdf"))) == 2


def test_printer_away_keeps_job_approved(sqlite_store, monkeypatch):
    store = sqlite_store
    job = submit_design(store, _design(), n=1, auto_choose=True, source="cli")
    Worker(store, backend="procedural").run_until_idle()
    monkeypatch.setenv("KIOSK_PRINTER", "no_such_printer_here")
    job, err = staff.approve_and_print(store, job.id, actor="staff:ann")
    # no CUPS server runs here: the lpstat check says so at once (tests/jobs/test_cups_print.py prints
    # through a real one)
    assert err and ("CUPS" in err or "no_such_printer_here" in err)
    job = store.get(job.id)
    assert job.state == q.APPROVED and job.print_error
    assert store.audit_log(job_id=job.id, action="print_failed")


def test_cancel_mid_job(sqlite_store, monkeypatch):
    monkeypatch.syspath_prepend(str(HERE))
    store = sqlite_store
    worker = Worker(store, backend="slow_backend:SlowBackend", poll_seconds=0.05).start()
    job = submit_design(store, _design(), n=6)
    try:
        end = time.monotonic() + 30
        while store.get(job.id).progress_done < 1 and time.monotonic() < end:
            time.sleep(0.05)
        worker.cancel(job.id)
        job = _wait(store, job.id, {q.CANCELLED}, timeout=10)
    finally:
        worker.stop()
    assert job.progress_done < 6


def test_backend_crash_marks_job_failed(sqlite_store, monkeypatch):
    monkeypatch.syspath_prepend(str(HERE))
    store = sqlite_store
    job = submit_design(store, _design())
    Worker(store, backend="slow_backend:BrokenBackend").run_until_idle()
    job = store.get(job.id)
    assert job.state == q.FAILED and "simulated crash" in job.error
    assert store.retry(job.id, actor="staff:ann").state == q.QUEUED


def _spawn_worker(var, *extra):
    # the lease (60 s) does not run out in this test: the restarted worker sees that the
    # dead worker's process is gone (same host) and takes the job back at once
    env = {**os.environ, "KIOSK_VAR": str(var), "KIOSK_LEASE_SECONDS": "60",
           "KIOSK_WORKER_POLL": "0.1", "SLOW_BACKEND_DELAY": "0.5",
           "PYTHONPATH": os.pathsep.join([str(HERE), str(REPO)])}
    env.pop("KIOSK_DB_URL", None)
    return subprocess.Popen([sys.executable, "-m", "jobs", "worker", "--backend",
                             "slow_backend:SlowBackend", *extra], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)


def test_worker_killed_mid_job_and_restarted(sqlite_store, var):
    store = sqlite_store
    job = submit_design(store, _design(), n=4, size="512x512")
    proc = _spawn_worker(var, "--label", "first")
    try:
        end = time.monotonic() + 60
        while time.monotonic() < end:
            j = store.get(job.id)
            if j.state == q.GENERATING and j.progress_done >= 1:
                break
            time.sleep(0.05)
        else:
            raise AssertionError("the first worker never started the job")
        os.kill(proc.pid, signal.SIGKILL)   # the server dies mid-job: no cleanup at all
        proc.wait(10)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(10)
    assert store.get(job.id).state == q.GENERATING   # caught mid-generation
    t0 = time.monotonic()
    second = _spawn_worker(var, "--label", "second", "--exit-when-idle")
    out, _ = second.communicate(timeout=120)
    assert time.monotonic() - t0 < 40   # not waiting for the 60 s lease
    assert second.returncode == 0, out.decode()
    job = store.get(job.id)
    assert job.state == q.AWAITING_CHOICE and len(job.candidates) == 4, job
    assert job.attempts == 0 and job.worker.endswith(":second")
    actions = [e.action for e in store.audit_log(job_id=job.id)][::-1]
    assert actions == ["submitted", "claimed", "requeued", "claimed", "generated"]


def test_backend_choice_follows_weights_status(sqlite_store, monkeypatch, tmp_path):
    """No valid AnyText weights -> procedural, with the reason recorded in the job."""
    monkeypatch.delenv("KIOSK_BACKEND", raising=False)
    monkeypatch.setenv("KIOSK_WEIGHTS", str(tmp_path / "no_weights"))
    worker = Worker(sqlite_store)
    assert worker.backend_name == "procedural" and "no AnyText weights" in worker.backend_reason
    job = submit_design(sqlite_store, _design(), n=1, size="256x256")
    worker.run_until_idle()
    job = sqlite_store.get(job.id)
    assert job.backend == "procedural"
    assert "no AnyText weights" in job.generation.backend_reason
    monkeypatch.setenv("KIOSK_BACKEND", "anytext")   # forcing a backend skips the check
    assert Worker(sqlite_store).backend_name == "anytext"


def test_worker_that_lost_its_lease_stops_and_leaves_the_job_to_the_new_owner(store, monkeypatch):
    """A worker too slow to heartbeat (here: its lease is taken away by hand) must not finish
    the job a second time nor overwrite the files of the worker that took it over."""
    monkeypatch.syspath_prepend(str(HERE))
    monkeypatch.setenv("SLOW_BACKEND_DELAY", "0.3")
    slow = Worker(store, backend="slow_backend:SlowBackend", label="slow", poll_seconds=0.05,
                  lease_seconds=1.5).start()
    job = submit_design(store, _design(), n=6, size="256x256")
    try:
        end = time.monotonic() + 30
        while store.get(job.id).progress_done < 1 and time.monotonic() < end:
            time.sleep(0.05)
        assert store.get(job.id).lease_owner == slow.owner
        # its heartbeat (every 0.5 s) is running; its own later sweeps must not requeue the
        # fast worker's job on a loaded machine, so they get a long lease from now on
        slow.lease_seconds = 600
        assert store.requeue_stale(lease_seconds=0, actor="test") == [(job.id, "requeued")]
        fast = Worker(store, backend="procedural", label="fast", lease_seconds=30)
        assert fast.run_once()
        end = time.monotonic() + 10
        while slow._current is not None and time.monotonic() < end:
            time.sleep(0.05)   # the slow worker notices (heartbeat/progress) and stops
    finally:
        slow.stop()
    job = store.get(job.id)
    assert job.state == q.AWAITING_CHOICE and job.worker == fast.owner
    assert all(c.path.endswith("_try2.png") and files.exists(c.path) for c in job.candidates)
    actions = [e.action for e in store.audit_log(job_id=job.id)][::-1]
    assert actions == ["submitted", "claimed", "requeued", "claimed", "generated"], actions
    assert not list(files.job_dir(job.id).glob("candidate_?.png"))   # the slow one saved nothing


def test_full_disk_fails_the_job_kindly_and_a_retry_finishes_it(sqlite_store, monkeypatch):
    """The var folder fills up while the worker saves candidates: the job fails with the
    technical reason for staff, the visitor is told in their language to ask staff (not an
    errno), nothing half-written is left, and a staff retry after freeing space finishes it."""
    import errno

    from jobs.runner import QueueRunner

    store = sqlite_store
    job = submit_design(store, _design())
    real = files.write_atomic

    def full(path, data, **kw):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files, "write_atomic", full)
    Worker(store, backend="procedural").run_until_idle()
    failed = store.get(job.id)
    assert failed.state == q.FAILED and "No space left" in failed.error
    view = QueueRunner(store).poll(str(job.id))
    assert view.state == "failed"
    en, zh = view.error
    assert "storage is full" in en and "Errno" not in en and "存储空间已满" in zh
    assert not list(files.job_dir(job.id).glob("*"))

    monkeypatch.setattr(files, "write_atomic", real)   # staff freed some space
    store.retry(job.id, actor="staff:ann")
    Worker(store, backend="procedural").run_until_idle()
    assert store.get(job.id).state == q.AWAITING_CHOICE
    # any other failure: a kind generic message, never the exception text
    broken = submit_design(store, _design(seed=8))
    monkeypatch.syspath_prepend(str(HERE))
    Worker(store, backend="slow_backend:BrokenBackend").run_until_idle()
    en, zh = QueueRunner(store).poll(str(broken.id)).error
    assert "try again" in en and "simulated" not in en and "重试" in zh
