"""Print queue figures: submit and claim latency (median) on SQLite and PostgreSQL, and jobs
per minute with the procedural backend (2 candidates + OCR, then the product PDF, proofs,
preflight and sheet): one in-process worker on SQLite, and 1 and 2 worker processes on
PostgreSQL (on this 2-core machine shared with other work, 2 workers cannot double it).
Worker processes are reported twice: wall clock including start-up (imports, OCR model), and
steady state (after every worker finished its first step). Workers take all generations
before builds, so the steady figure mixes both steps; it moves with the machine's load."""
from __future__ import annotations

import os
import statistics
import tempfile
import time
import uuid

from jobs.runner import submit_design
from products.build import preview_size

DESIGN = {"version": 1, "motif": "sunbird", "product": "postcard", "seed": 7,
          "lines": [{"text": "天路", "box": [0.30, 0.08, 0.40, 0.12]}]}
SIZE = "{}x{}".format(*preview_size("postcard"))   # what the kiosk asks for (jobs.runner.art_size)
PG = os.environ.get("KIOSK_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _latencies(store, n: int = 40) -> tuple[float, float]:
    submit, claim = [], []
    for i in range(n):
        t0 = time.perf_counter()
        submit_design(store, {**DESIGN, "seed": i})
        submit.append(time.perf_counter() - t0)
    for i in range(n):
        t0 = time.perf_counter()
        assert store.claim_next("bench") is not None
        claim.append(time.perf_counter() - t0)
    return statistics.median(submit), statistics.median(claim)


def _contended_claims(url: str, n: int = 40) -> float:
    """Median claim latency with two claimers hammering the queue at once (two stores, as two
    worker processes would have): SKIP LOCKED must not make them wait for each other."""
    import threading

    from jobs.store import Store

    stores = [Store(url), Store(url)]
    for i in range(n):
        submit_design(stores[0], {**DESIGN, "seed": i})
    times: list[float] = []
    lock = threading.Lock()

    def claimer(store, label):
        while True:
            t0 = time.perf_counter()
            got = store.claim_next(label)
            dt = time.perf_counter() - t0
            if got is None:
                return
            with lock:
                times.append(dt)

    threads = [threading.Thread(target=claimer, args=(s, f"c{i}")) for i, s in enumerate(stores)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in stores:
        s.dispose()
    assert len(times) == n, len(times)   # every job claimed exactly once
    return statistics.median(times)


def _worker_processes(url: str, tmp: str, workers: int, *, schema: str, admin,
                      jobs: int = 12) -> tuple[float, float]:
    """Jobs per minute (generate 2 candidates + OCR, then the product PDF) through N
    `python -m jobs worker` processes: (wall clock from launching the processes to the
    last job ready, start-up and model loading included; steady state: the steps finished
    after every worker had finished its first one, over the time they took, 2 steps a job)."""
    import subprocess
    import sys
    from pathlib import Path

    from sqlalchemy import text

    from jobs.store import Store

    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = url.split("?")[0] + f"?options=-csearch_path%3D{schema}"
        store = Store(url)
        for i in range(jobs):
            submit_design(store, {**DESIGN, "seed": i}, n=2, size=SIZE, auto_choose=True)
        env = {**os.environ, "KIOSK_VAR": tmp, "KIOSK_DB_URL": url, "KIOSK_WORKER_POLL": "0.1"}
        repo = Path(__file__).resolve().parent.parent
        t0 = time.perf_counter()
        procs = [subprocess.Popen([sys.executable, "-m", "jobs", "worker", "--backend",
                                   "procedural", "--exit-when-idle", "--label", f"b{w}"],
                                  cwd=repo, env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL) for w in range(workers)]
        for p in procs:
            p.wait(600)
        wall = time.perf_counter() - t0
        done = store.list_jobs()
        assert all(j.state == "ready_for_review" for j in done), [j.state for j in done]
        steps = sorted((e.at, e.actor) for a in ("generated", "built")
                       for e in store.audit_log(action=a, limit=10000))
        first = {}
        for at, actor in steps:
            first.setdefault(actor, at)
        warm = max(first.values())        # every worker has loaded everything by now
        after = [at for at, _ in steps if at > warm]
        steady = len(after) / 2 / (after[-1] - warm).total_seconds() * 60 if after else 0.0
        store.dispose()
        return jobs / wall * 60, steady
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def run(report, gpu: bool = False) -> None:
    if gpu:
        return
    saved = os.environ.get("KIOSK_VAR")
    try:
        _run(report)
    finally:  # other bench modules run in this process: leave the environment as it was
        if saved is None:
            os.environ.pop("KIOSK_VAR", None)
        else:
            os.environ["KIOSK_VAR"] = saved


def _run(report) -> None:
    from sqlalchemy import create_engine, text

    from jobs.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        os.environ["KIOSK_VAR"] = tmp
        store = Store(f"sqlite:///{tmp}/bench.db")
        s, c = _latencies(store)
        report("queue submit latency, SQLite (median)", s * 1000, "ms")
        report("queue claim latency, SQLite (median)", c * 1000, "ms")
        store.dispose()

        admin = create_engine(PG, isolation_level="AUTOCOMMIT")
        schema = f"kbench_{uuid.uuid4().hex[:8]}"
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        except Exception as exc:
            print(f"  PostgreSQL at {PG} unavailable ({exc.__class__.__name__}): skipped")
        else:
            try:
                url = f"{PG}?options=-csearch_path%3D{schema}"
                store = Store(url)
                s, c = _latencies(store)
                report("queue submit latency, PostgreSQL (median)", s * 1000, "ms")
                report("queue claim latency, PostgreSQL (median)", c * 1000, "ms")
                store.dispose()
                with admin.connect() as conn:
                    conn.execute(text(f'CREATE SCHEMA "{schema}_c"'))
                try:
                    c2 = _contended_claims(f"{PG}?options=-csearch_path%3D{schema}_c")
                    report("queue claim latency, PostgreSQL, 2 claimers at once (median)",
                           c2 * 1000, "ms")
                finally:
                    with admin.connect() as conn:
                        conn.execute(text(f'DROP SCHEMA "{schema}_c" CASCADE'))
                for workers in (1, 2):
                    wall, steady = _worker_processes(url, tmp, workers,
                                                     schema=f"{schema}_{workers}", admin=admin)
                    report(f"jobs/min, {workers} worker process(es), PostgreSQL, steady", steady,
                           "jobs/min")
                    report(f"jobs/min, {workers} worker process(es), incl. start-up (12 jobs)",
                           wall, "jobs/min")
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

        from jobs.worker import Worker

        store = Store(f"sqlite:///{tmp}/jobs.db")
        worker = Worker(store, backend="procedural")
        submit_design(store, DESIGN, n=2, size=SIZE, auto_choose=True)
        worker.run_until_idle()  # warm-up: fonts, OCR model, layouts
        n = 5
        for i in range(n):
            submit_design(store, {**DESIGN, "seed": 100 + i}, n=2, size=SIZE, auto_choose=True)
        t0 = time.perf_counter()
        worker.run_until_idle()
        dt = time.perf_counter() - t0
        report("jobs per minute, 1 in-process worker, procedural (generate+PDF)", n / dt * 60,
               "jobs/min")
        store.dispose()
