"""The worker: one loop per process that owns the backend and does one step per claim.

It takes jobs from the job store in order, oldest first:

- generate (queued -> generating -> awaiting_choice, or on to submitted for CLI jobs that
  choose the best candidate themselves): jobs/generate.py;
- edit (a visitor's edit of a version, queued -> generating -> awaiting_choice with one more
  candidate; a failed edit goes back to awaiting_choice with every candidate): jobs/edit.py;
- build (submitted -> building -> ready_for_review): jobs/build.py.

Progress goes into the job row (pages poll the database, so it works the same with an
in-process worker and with external ones); a heartbeat thread keeps the lease while a step
runs; cancel is a flag in the row (or `Worker.cancel`). The backend is loaded once, on the
worker thread: AnyText when `weights.status()` finds valid weights, else procedural
(KIOSK_BACKEND or the constructor forces one). The backend used is recorded in each job.
`python -m jobs worker` runs the same loop as a process of its own (several kiosks, one GPU
machine: see the README).
"""
from __future__ import annotations

import importlib
import logging
import os
import signal
import socket
import threading
import time
import traceback

from sqlalchemy.exc import DBAPIError, OperationalError

import weights
from base.errors import CancelledError, KioskError
from base.settings import settings
from generator.backends import get_backend
from generator.result import ProgressFn
from jobs.build import build_step, chosen_design, chosen_repaired
from jobs.edit import edit_step
from jobs.generate import generate_step
from jobs.store import WAITING, WORKING, Claim, Store, worker_id

log = logging.getLogger("kiosk.worker")

PROGRESS_EVERY = 0.25  # seconds between progress writes (the last one is always written)


def choose_backend(name: str | None = None) -> tuple[str, str]:
    """(backend name or module:factory, why) for this worker."""
    name = name or settings().backend
    if name != "auto":
        return name, "asked for"
    try:
        st = weights.status()
        return st.backend, st.reason
    except Exception as exc:  # a broken weights folder must not stop the kiosk
        return "procedural", f"weights status failed: {exc.__class__.__name__}: {exc}"


def load_backend(name: str):
    """A registered backend name, or module:factory (a plug-in, e.g. a test backend)."""
    if ":" in name:
        module, factory = name.split(":", 1)
        return getattr(importlib.import_module(module), factory)()
    return get_backend(name)


def _db_error(exc: BaseException) -> bool:
    return isinstance(exc, (OperationalError, DBAPIError))


def with_db_retry(fn, *args, attempts: int = 6, wait: float = 0.5,
                  budget_s: float | None = None, **kwargs):
    """Call a store method again when the database connection dropped (a restart, a network
    blip): the pool reconnects (pre-ping) and the work already done is not thrown away.
    `budget_s`: keep trying for that long instead of `attempts` times (a finished step is
    worth waiting for while the database restarts)."""
    end = None if budget_s is None else time.monotonic() + budget_s
    i = 0
    while True:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            i += 1
            out = i >= attempts if end is None else time.monotonic() + wait > end
            if not _db_error(exc) or out:
                raise
            log.warning("database error (%s), retrying in %.1f s", exc.__class__.__name__, wait)
            time.sleep(wait)
            wait = min(wait * 2, 5.0)


def dead_local_owners(owners) -> tuple[str, ...]:
    """Lease owners (host:pid:label) on THIS machine whose process is gone: a kiosk restarted
    after a crash takes their jobs back at once instead of waiting for the lease to run out."""
    host, dead = socket.gethostname(), []
    for owner in owners:
        parts = owner.split(":")
        if len(parts) < 3 or parts[0] != host or not parts[1].isdigit():
            continue
        pid = int(parts[1])
        if pid == os.getpid():
            continue
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            dead.append(owner)
        except PermissionError:
            pass  # alive, another user's process
    return tuple(dead)


class _Cancel:
    """The backend's cancel token: a local event, or the job's cancel flag in the database."""

    def __init__(self, store, job_id: int, local: threading.Event):
        self.store, self.job_id, self.local = store, job_id, local
        self._checked = 0.0

    def is_set(self) -> bool:
        if self.local.is_set():
            return True
        now = time.monotonic()
        if now - self._checked > 0.5:  # the database is asked at most twice a second
            self._checked = now
            try:
                if self.store.cancel_requested(self.job_id):
                    self.local.set()
            except Exception as exc:
                if not _db_error(exc):
                    log.exception("cancel check failed")
        return self.local.is_set()


class Worker:
    """Owns the backend; `start()` runs the loop on a daemon thread, `run_once()` in the caller."""

    def __init__(self, store, *, backend: str | None = None, label: str = "worker",
                 poll_seconds: float | None = None, lease_seconds: float | None = None):
        self.store = store
        self.backend_name, self.backend_reason = choose_backend(backend)
        self.owner = worker_id(label)
        self.poll_seconds = settings().worker_poll if poll_seconds is None else poll_seconds
        self.lease_seconds = settings().lease_seconds if lease_seconds is None else lease_seconds
        self._backend = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._current: tuple[int, threading.Event] | None = None
        self._lock = threading.Lock()
        self._swept = 0.0

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> "Worker":
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(target=self.run_forever, name="kiosk-worker",
                                                daemon=True)
                self._thread.start()
        return self

    def stop(self, timeout: float = 30) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def release(self) -> list[tuple[int, str]]:
        """Give the job this worker holds back to the queue now (Ctrl-C, a second SIGTERM),
        instead of leaving it to the lease timeout."""
        try:
            return self.store.requeue_stale(lease_seconds=10 ** 9, dead_owners=(self.owner,),
                                            actor=self.owner)
        except Exception as exc:  # the database is away: the lease timeout will do it
            log.warning("could not release the job (%s)", exc.__class__.__name__)
            return []

    def wake(self) -> None:
        """A job was just queued: skip the rest of the poll sleep."""
        self._wake.set()

    def cancel(self, job_id: int, *, actor: str = "visitor") -> None:
        self.store.request_cancel(job_id, actor=actor)
        current = self._current
        if current and current[0] == job_id:
            current[1].set()

    @property
    def backend(self):
        if self._backend is None:
            try:
                self._backend = load_backend(self.backend_name)
            except Exception as exc:
                if self.backend_name == "procedural":
                    raise
                # AnyText that cannot load must not take the kiosk down: say why, draw procedurally
                log.error("backend %s failed to load (%s); using procedural", self.backend_name, exc)
                self.backend_reason = f"{self.backend_name} failed to load: {exc}"
                self.backend_name = "procedural"
                self._backend = load_backend("procedural")
        return self._backend

    def run_forever(self) -> None:
        while not self._stop.is_set():
            try:
                worked = self.run_once()
            except Exception as exc:  # the database went away: wait and try again, never die
                if _db_error(exc):
                    log.warning("database unavailable (%s), retrying", exc.__class__.__name__)
                else:
                    log.exception("worker loop error")
                worked = False
            if not worked:
                self._wake.wait(self.poll_seconds)
                self._wake.clear()

    def run_until_idle(self, *, timeout: float | None = None) -> int:
        """Process jobs until none is left: nothing waiting and nothing held by another worker
        (a dead worker's job is requeued when its lease runs out, then done here)."""
        n, end, said = 0, None if timeout is None else time.monotonic() + timeout, False
        while (end is None or time.monotonic() < end) and not self._stop.is_set():
            try:
                if self.run_once():
                    n += 1
                    continue
                counts = self.store.counts()
            except Exception as exc:
                if not _db_error(exc):
                    raise
                # the database restarted or dropped us: the pool reconnects on the next call
                log.warning("database unavailable (%s), retrying", exc.__class__.__name__)
                time.sleep(min(2.0, max(0.2, self.poll_seconds)))
                continue
            if not any(counts.get(s) for s in WAITING + WORKING):
                break
            held = sum(counts.get(s, 0) for s in WORKING)
            if held and not said:   # once: why an --exit-when-idle worker has not exited yet
                log.info("waiting for %d job(s) held by other workers (taken over if their "
                         "heartbeat is %.0f s old)", held, self.lease_seconds)
            said = bool(held)
            time.sleep(min(self.poll_seconds, max(0.05, self.lease_seconds / 4)))
        return n

    def run_once(self) -> bool:
        """Recover stale jobs, claim one step, do it. False when nothing was waiting."""
        now = time.monotonic()
        dead = ()
        if now - self._swept > 60:
            self._swept = now
            self.store.expire_unchosen(actor=self.owner)
            dead = dead_local_owners(self.store.lease_owners())
        self.store.requeue_stale(lease_seconds=self.lease_seconds, actor=self.owner,
                                 dead_owners=dead)
        claim = self.store.claim_next(self.owner)
        if claim is None:
            return False
        local = threading.Event()
        self._current = (claim.job_id, local)
        beat_stop = threading.Event()
        beat = threading.Thread(target=self._heartbeat, args=(claim.job_id, local, beat_stop),
                                name="kiosk-heartbeat", daemon=True)
        beat.start()
        try:
            if claim.step == "generate":
                self._generate(claim, local)
            elif claim.step == "edit":
                self._edit(claim, local)
            else:
                self._build(claim, local)
        except CancelledError:
            with_db_retry(self.store.cancelled, claim.job_id, self.owner)
        except KioskError as exc:
            with_db_retry(self.store.fail, claim.job_id, self.owner, exc.en)
        except Exception as exc:
            if _db_error(exc):
                # the database went away for longer than the retries: not the job's fault.
                # Leave it leased; once the lease runs out it is requeued (never lost).
                log.error("job %s: database unavailable, leaving it to the lease: %s",
                          claim.job_id, exc.__class__.__name__)
            else:
                log.error("job %s failed:\n%s", claim.job_id, traceback.format_exc())
                with_db_retry(self.store.fail, claim.job_id, self.owner,
                              f"{exc.__class__.__name__}: {exc}")
        finally:
            beat_stop.set()
            beat.join(5)
            self._current = None
        return True

    def _heartbeat(self, job_id: int, local: threading.Event, stop: threading.Event) -> None:
        every = max(0.2, self.lease_seconds / 3)
        while not stop.wait(every):
            try:
                if not self.store.heartbeat(job_id, self.owner):
                    local.set()  # we lost the lease (we were too slow): stop this job
                    return
            except Exception as exc:   # the database is away: try again at the next beat
                if _db_error(exc):
                    log.warning("heartbeat not recorded (%s)", exc.__class__.__name__)
                else:
                    log.exception("heartbeat failed")

    # -- the two steps -----------------------------------------------------------------------
    def _progress(self, job_id: int, local: threading.Event, *, throttle: bool) -> ProgressFn:
        last = [0.0]

        def progress(done: int, total: int, message: str) -> None:
            now = time.monotonic()
            if throttle and done < total and now - last[0] < PROGRESS_EVERY:
                return
            last[0] = now
            try:
                if not self.store.set_progress(job_id, self.owner, done, total, message):
                    local.set()  # the lease is gone: another worker has this job now
            except Exception as exc:
                if not _db_error(exc):
                    raise
                log.warning("progress not recorded (%s)", exc.__class__.__name__)

        return progress

    def _generate(self, claim: Claim, local: threading.Event) -> None:
        backend = self.backend  # load before the design: the name may fall back
        cancel = _Cancel(self.store, claim.job_id, local)
        used, candidates, info = generate_step(
            claim.job, backend, self.backend_name, attempt=claim.attempts, cancel=cancel,
            progress=self._progress(claim.job_id, local, throttle=True),
            backend_reason=self.backend_reason)
        if cancel.is_set():
            raise CancelledError("generation was cancelled", "生成已取消")
        with_db_retry(self.store.finish_generation, claim.job_id, self.owner, backend=used,
                      candidates=candidates, info=info, budget_s=max(30.0, self.lease_seconds))

    def _edit(self, claim: Claim, local: threading.Event) -> None:
        backend = self.backend
        cancel = _Cancel(self.store, claim.job_id, local)
        try:
            version = edit_step(claim.job, backend, self.backend_name, attempt=claim.attempts,
                                cancel=cancel,
                                progress=self._progress(claim.job_id, local, throttle=True))
        except CancelledError:
            raise
        except Exception as exc:
            if _db_error(exc):
                raise
            # the visitor keeps every candidate and may try another edit; staff see why
            log.error("job %s: edit failed:\n%s", claim.job_id, traceback.format_exc())
            with_db_retry(self.store.edit_failed, claim.job_id, self.owner,
                          getattr(exc, "en", None) or f"{exc.__class__.__name__}: {exc}")
            return
        if cancel.is_set():
            raise CancelledError("the edit was cancelled", "修改已取消")
        with_db_retry(self.store.finish_edit, claim.job_id, self.owner, version,
                      budget_s=max(30.0, self.lease_seconds))

    def _build(self, claim: Claim, local: threading.Event) -> None:
        with_db_retry(self.store.set_progress, claim.job_id, self.owner, 0, 1,
                      "building the print file")
        job = claim.job
        result = build_step(job.id, chosen_design(job), job.art_path, backend=job.backend,
                            attempt=claim.attempts, repaired=chosen_repaired(job),
                            progress=self._progress(claim.job_id, local, throttle=False),
                            cancel=_Cancel(self.store, claim.job_id, local))
        if local.is_set():
            raise CancelledError("the build was taken over by another worker", "已由其他进程接手")
        with_db_retry(self.store.finish_build, claim.job_id, self.owner, result,
                      budget_s=max(30.0, self.lease_seconds))


def serve(args) -> int:
    """`python -m jobs worker`: run the loop in this process until stopped (or idle)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    worker = None

    def on_term(signum, frame):
        # systemctl stop: finish the step in hand, then exit; a second signal stops at once
        # and gives the job back to the queue
        if worker is None or worker._stop.is_set():
            raise KeyboardInterrupt
        log.info("stopping after the current step (send the signal again to stop now)")
        worker._stop.set()
        worker._wake.set()

    signal.signal(signal.SIGTERM, on_term)
    try:
        worker = Worker(Store(), backend=args.backend, label=args.label)
        log.info("worker %s using %s (%s)", worker.owner, worker.backend_name, worker.backend_reason)
        if args.exit_when_idle:
            log.info("idle after %d steps", worker.run_until_idle())
        else:
            worker.run_forever()
            log.info("stopped")
    except KeyboardInterrupt:
        if worker is not None:
            released = worker.release()
            log.info("interrupted; job(s) given back to the queue: %s", released or "none")
        return 130
    return 0
