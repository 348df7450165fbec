"""Real `python -m jobs worker` processes on a shared queue.

The same tests on PostgreSQL (127.0.0.1, a private schema per test) and on SQLite (a file in
the test's var folder):
- 20 jobs, two worker processes on PostgreSQL / one on SQLite: every job claimed and done
  exactly once (counted in the audit log), art for all, the product PDF for the CLI ones;
- a worker SIGKILLed mid-job: the other worker, already running, requeues the job once the
  (short, 4 s) lease runs out and finishes it;
- PostgreSQL only: the worker's own connections dropped mid-job (pg_terminate_backend on its
  backend pids), then every connection of the test dropped during the build step. A real
  database restart would disturb the other tests on this shared server, so dropping all the
  test's connections stands in for it. The worker reconnects and nothing is lost or repeated;
- PostgreSQL only: the database away for 8 s mid-job, played by a TCP proxy in front of it
  (tests/jobs/pg_outage_proxy.py) that cuts every connection and refuses new ones;
- SIGTERM finishes the step then exits; SIGINT requeues the job at once;
- a kiosk with KIOSK_WORKER=external shows the progress a worker process writes.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from queue_helpers import DESIGN
from sqlalchemy import text

from jobs.runner import submit_design
from jobs import files
from jobs import store as q

HERE = Path(__file__).parent
REPO = HERE.parents[1]


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, var):
    """(name, url, admin engine or None, schema or None)."""
    if request.param == "sqlite":
        yield "sqlite", f"sqlite:///{var / 'kiosk.db'}", None, None
    else:
        url, schema, admin = request.getfixturevalue("pg_admin")
        yield "postgresql", url, admin, schema


def _spawn(url, var, label, log, *extra, env=None):
    """`python -m jobs worker` (the CLI entry point) with its log in a file."""
    env = {**os.environ, "KIOSK_VAR": str(var), "KIOSK_DB_URL": url, "KIOSK_WORKER_POLL": "0.1",
           "PYTHONPATH": os.pathsep.join([str(HERE), str(REPO)]), **(env or {})}
    return subprocess.Popen([sys.executable, "-m", "jobs", "worker", "--label", label,
                             *extra], cwd=REPO, env=env, stdout=open(log, "wb"),
                            stderr=subprocess.STDOUT, start_new_session=True)


def _wait_for(cond, timeout, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = cond()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _started(log: Path) -> bool:
    # the worker logs "worker <owner> using <backend>" right before its first claim
    return log.exists() and " using " in log.read_text(errors="replace")


def _stop(*procs):
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(10)


def _steps(store, action):
    """(job id, step) -> how many audit entries of this action."""
    out = Counter()
    for e in store.audit_log(action=action, limit=10000):
        out[(e.job_id, e.detail.get("step", action))] += 1
    return out


def test_twenty_jobs_each_processed_exactly_once(engine, var, tmp_path, monkeypatch, capsys):
    name, url, _, _ = engine
    workers = 2 if name == "postgresql" else 1
    store = q.Store(url)
    # every 4th job is a CLI job: the worker also chooses and builds its product PDF
    jobs = [submit_design(store, {**DESIGN, "seed": i}, n=1, size="256x256", auto_choose=i % 4 == 0,
                         source="cli" if i % 4 == 0 else "kiosk") for i in range(20)]
    with_pdf = {j.id for j in jobs if j.auto_choose}
    logs = [tmp_path / f"w{i}.log" for i in range(workers)]
    procs = [_spawn(url, var, f"w{i}", logs[i], "--backend", "procedural", "--exit-when-idle")
             for i in range(workers)]
    try:
        for p, log in zip(procs, logs):
            assert p.wait(180) == 0, log.read_text()[-2000:]
    finally:
        _stop(*procs)
    done = [store.get(j.id) for j in jobs]
    for j in done:
        want = q.READY if j.id in with_pdf else q.AWAITING_CHOICE
        assert j.state == want, (j.id, j.state, j.error)
        assert len(j.candidates) == 1 and files.exists(j.candidates[0].path)
        if j.id in with_pdf:
            assert files.read_bytes(j.pdf_path)[:5] == b"%PDF-"
    ids = [j.id for j in jobs]
    claims = _steps(store, "claimed")
    assert claims == Counter({(i, q.GENERATING): 1 for i in ids}
                             | {(i, q.BUILDING): 1 for i in with_pdf})   # claimed once per step
    def done_by(action):
        return Counter(e.job_id for e in store.audit_log(action=action, limit=1000))

    assert done_by("generated") == Counter(ids) and done_by("built") == Counter(with_pdf)
    assert not store.audit_log(action="requeued") and not store.audit_log(action="failed")
    finishers = {e.actor for e in store.audit_log(action="generated", limit=1000)}
    assert len(finishers) == workers, finishers       # both processes really took jobs
    stats = store.stats()
    assert sum(w["generated"] for w in stats["per_worker"].values()) == 20
    assert sum(w["built"] for w in stats["per_worker"].values()) == len(with_pdf)
    assert all(w["steps_per_minute"] > 0 for w in stats["per_worker"].values())
    assert stats["states"] == {q.AWAITING_CHOICE: 15, q.READY: 5} and stats["median_wait_s"] > 0
    monkeypatch.setenv("KIOSK_DB_URL", url)
    from jobs.cli import main as jobs_main
    capsys.readouterr()
    assert jobs_main(["stats"]) == 0
    out = capsys.readouterr().out
    assert "ready_for_review" in out and all(f":w{i} " in out for i in range(workers)), out
    store.dispose()


def test_worker_without_database_says_so_in_one_line(var, tmp_path):
    log = tmp_path / "w.log"
    proc = _spawn("postgresql+psycopg://kiosk:secret@127.0.0.1:1/none", var, "w", log,
                  "--backend", "procedural", "--exit-when-idle")
    assert proc.wait(60) == 2
    lines = [ln for ln in log.read_text().splitlines() if ln.startswith("error:")]
    assert len(lines) == 1 and "cannot reach the job database" in lines[0]
    assert "secret" not in log.read_text() and "Traceback" not in log.read_text()


def test_worker_killed_mid_job_is_finished_by_the_other_after_the_lease(engine, var, tmp_path):
    _, url, _, _ = engine
    store = q.Store(url)
    env = {"KIOSK_LEASE_SECONDS": "4", "SLOW_BACKEND_DELAY": "0.5"}
    log_a, log_b = tmp_path / "a.log", tmp_path / "b.log"
    a = _spawn(url, var, "a", log_a, "--backend", "slow_backend:SlowBackend", env=env)
    b = None
    try:
        _wait_for(lambda: _started(log_a), 60, "worker a to start")
        job = submit_design(store, DESIGN, n=6, size="256x256", auto_choose=True, source="cli")
        _wait_for(lambda: store.get(job.id).progress_done >= 1, 60, "worker a to start the job")
        assert store.get(job.id).lease_owner.endswith(":a")
        # b is running (and has done its start-up sweep) before a dies, so it can only learn
        # of a's death the way a worker on another machine does: the lease runs out
        b = _spawn(url, var, "b", log_b, "--backend", "slow_backend:SlowBackend",
                   "--exit-when-idle", env=env)
        # b has done its first pass (and its start-up sweep: a is alive) and waits for a's job
        _wait_for(lambda: log_b.exists() and "held by other workers" in log_b.read_text(), 60,
                  "worker b to start")
        os.killpg(a.pid, signal.SIGKILL)          # no cleanup at all
        a.wait(10)
        killed_at = q.utcnow()
        assert store.get(job.id).state == q.GENERATING
        assert b.wait(120) == 0, log_b.read_text()[-2000:]
    finally:
        _stop(a, *([b] if b else []))
    job = store.get(job.id)
    assert job.state == q.READY and len(job.candidates) == 6, (job.state, job.error)
    assert job.worker.endswith(":b") and files.read_bytes(job.pdf_path)[:5] == b"%PDF-"
    trail = store.audit_log(job_id=job.id)[::-1]
    assert [e.action for e in trail] == ["submitted", "claimed", "requeued", "claimed",
                                         "generated", "claimed", "built"]
    requeued = trail[2]
    assert requeued.actor.endswith(":b") and requeued.detail["dead_worker"].endswith(":a")
    # the heartbeat was at most a third of the lease old when a died
    assert (requeued.at - killed_at).total_seconds() > 4 * 2 / 3 - 0.5
    store.dispose()


def test_dropped_connections_mid_job_lose_nothing(pg_admin, var, tmp_path):
    url, schema, admin = pg_admin
    store = q.Store(url)
    worker_url = url.replace(f"application_name={schema}", f"application_name={schema}_w")
    job = submit_design(store, DESIGN, n=6, size="256x256", auto_choose=True, source="cli")
    log = tmp_path / "w.log"
    proc = _spawn(worker_url, var, "w", log, "--backend", "slow_backend:SlowBackend",
                  "--exit-when-idle",
                  env={"SLOW_BACKEND_DELAY": "0.5", "KIOSK_LEASE_SECONDS": "30"})

    def pids(app_names):
        with admin.connect() as c:
            return set(c.execute(text("SELECT pid FROM pg_stat_activity WHERE application_name "
                                      "= ANY(:a)"), {"a": app_names}).scalars())

    def terminate(app_names):
        with admin.connect() as c:
            return c.execute(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                  "WHERE application_name = ANY(:a)"), {"a": app_names}).scalar()

    try:
        _wait_for(lambda: store.get(job.id).progress_done >= 2, 60, "generation to start")
        dropped = pids([f"{schema}_w"])
        assert dropped and terminate([f"{schema}_w"]) >= 1          # the worker's own connections
        # the worker comes back on new connections (progress keeps arriving in the row)
        _wait_for(lambda: pids([f"{schema}_w"]) - dropped, 30, "the worker to reconnect")
        _wait_for(lambda: store.get(job.id).state == q.BUILDING, 60, "the build step")
        # a database restart, as far as this test's clients can tell: every connection gone
        assert terminate([schema, f"{schema}_w"]) >= 1
        assert proc.wait(120) == 0, log.read_text()[-2000:]
    finally:
        _stop(proc)
    job = store.get(job.id)
    assert job.state == q.READY and len(job.candidates) == 6, (job.state, job.error,
                                                              log.read_text()[-2000:])
    assert files.read_bytes(job.pdf_path)[:5] == b"%PDF-"
    actions = [e.action for e in store.audit_log(job_id=job.id)][::-1]
    assert actions == ["submitted", "claimed", "generated", "claimed", "built"]   # done once
    store.dispose()


def test_kiosk_without_worker_shows_progress_of_an_external_one(pg_admin, var, tmp_path,
                                                                monkeypatch):
    """KIOSK_WORKER=external: the kiosk's runner only reads the job row, which a worker
    process on 'the GPU machine' updates; the visitor then chooses and gets a ticket."""
    url, _, _ = pg_admin
    monkeypatch.setenv("KIOSK_WORKER", "external")
    monkeypatch.setenv("KIOSK_DB_URL", url)
    from generator.design import make_design
    from kiosk.resources import QueueRunner, get_worker

    assert get_worker() is None
    store = q.Store(url)
    runner = QueueRunner(store)
    job_id = runner.start(make_design({**DESIGN, "product": "bookmark"}), 4)
    assert runner.poll(job_id).state == "queued"
    log = tmp_path / "w.log"
    proc = _spawn(url, var, "gpu", log, "--backend", "slow_backend:SlowBackend",
                  env={"SLOW_BACKEND_DELAY": "0.5"})
    try:
        seen = _wait_for(lambda: (lambda v: v if v.state == "generating" and 1 <= v.done < 4
                                  else None)(runner.poll(job_id)), 60, "progress in the row")
        assert seen.total == 4 and seen.message
        view = _wait_for(lambda: (lambda v: v if v.finished else None)(runner.poll(job_id)), 60,
                         "candidates")
        assert view.state == "awaiting_choice" and len(view.candidates) == 4
        ticket = runner.submit(job_id, 2)
        _wait_for(lambda: store.get(int(job_id)).state == q.READY, 60, "the product PDF")
    finally:
        _stop(proc)
    job = store.get(int(job_id))
    assert job.ticket == ticket and job.chosen == 2 and job.worker.endswith(":gpu")
    assert files.read_bytes(job.pdf_path)[:5] == b"%PDF-"
    store.dispose()


def test_sigterm_finishes_the_step_sigint_gives_the_job_back(var, tmp_path):
    """Stopping a worker service (SIGTERM) lets it finish the step in hand; Ctrl-C (SIGINT)
    stops at once and requeues its job without waiting for the lease (SQLite: the signal
    handling does not depend on the engine)."""
    url = f"sqlite:///{var / 'kiosk.db'}"
    store = q.Store(url)
    env = {"SLOW_BACKEND_DELAY": "0.4", "KIOSK_LEASE_SECONDS": "60"}
    for sig, code in ((signal.SIGTERM, 0), (signal.SIGINT, 130)):
        job = submit_design(store, DESIGN, n=5, size="256x256")
        log = tmp_path / f"{sig.name}.log"
        proc = _spawn(url, var, sig.name, log, "--backend", "slow_backend:SlowBackend", env=env)
        try:
            _wait_for(lambda: store.get(job.id).progress_done >= 1, 60, "the job to start")
            os.kill(proc.pid, sig)
            assert proc.wait(60) == code, log.read_text()[-2000:]
        finally:
            _stop(proc)
        done = store.get(job.id)
        actions = [e.action for e in store.audit_log(job_id=job.id)][::-1]
        if sig == signal.SIGTERM:
            assert done.state == q.AWAITING_CHOICE and len(done.candidates) == 5
            assert actions == ["submitted", "claimed", "generated"]
        else:
            assert done.state == q.QUEUED and done.progress_done < 5 and done.lease_owner is None
            assert actions == ["submitted", "claimed", "requeued"]
    store.dispose()


def test_database_away_for_seconds_mid_job_loses_nothing(pg_admin, var, tmp_path):
    """A database restart as the worker sees it (through a proxy that cuts every connection
    and refuses new ones for 8 s): the worker finishes the candidates meanwhile, waits for
    the database, writes its result and goes on with the build. Nothing done twice."""
    from pg_outage_proxy import OutageProxy

    url, _, _ = pg_admin
    proxy = OutageProxy()
    worker_url = url.replace("@127.0.0.1:5432/", f"@127.0.0.1:{proxy.port}/")
    assert worker_url != url
    store = q.Store(url)          # the test itself watches the real server directly
    job = submit_design(store, DESIGN, n=6, size="256x256", auto_choose=True, source="cli")
    log = tmp_path / "w.log"
    proc = _spawn(worker_url, var, "w", log, "--backend", "slow_backend:SlowBackend",
                  "--exit-when-idle",
                  env={"SLOW_BACKEND_DELAY": "0.5", "KIOSK_LEASE_SECONDS": "30"})
    try:
        _wait_for(lambda: store.get(job.id).progress_done >= 2, 60, "generation to start")
        proxy.cut()
        time.sleep(8)            # longer than the rest of the generation: it ends while away
        assert store.get(job.id).state == q.GENERATING
        proxy.restore()
        assert proc.wait(120) == 0, log.read_text()[-2000:]
    finally:
        _stop(proc)
        proxy.close()
    job = store.get(job.id)
    assert job.state == q.READY and len(job.candidates) == 6, (job.state, job.error)
    actions = [e.action for e in store.audit_log(job_id=job.id)][::-1]
    assert actions == ["submitted", "claimed", "generated", "claimed", "built"]
    assert "database error" in log.read_text()      # it really saw the database go away
    store.dispose()
