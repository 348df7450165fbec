"""The job store: jobs, their states, the audit log, on SQLAlchemy 2 (SQLite or PostgreSQL).

Database: KIOSK_DB_URL (any SQLAlchemy URL, e.g. postgresql+psycopg://kiosk@dbhost/kiosk
for several kiosks), default a SQLite file var/kiosk.db in WAL mode (var/ = KIOSK_VAR).
The schema is versioned with Alembic (jobs/migrations/): opening a Store upgrades it.

Job states (the `state` column):

    queued ──claim──> generating ──> awaiting_choice ──visitor chooses──> submitted
                                 └──(auto_choose: CLI submit)──────────────> submitted
    submitted ──claim──> building ──> ready_for_review ──approve──> approved ──output──> printed
    ready_for_review ──reject──> rejected          printed ──reprint──> printed (again)
    any working state ──error──> failed            queued/generating/awaiting_choice ──> cancelled
    awaiting_choice/queued/generating ──visitor session reset──> abandoned
    awaiting_choice for KIOSK_CHOICE_SECONDS (30 min: the tab was closed) ──> abandoned
    awaiting_choice ──visitor edits a version (edit_request)──> queued ──claim──> generating
        ──> awaiting_choice (one more candidate, `parent` set; a failed edit keeps the others)

- approve refuses a job whose checks failed (preflight errors, text that does not read back)
  unless a staff member overrides with a reason (`approval_blocks`, `Override`).

- generating / building carry a lease (lease_owner + heartbeat_at). A worker that dies leaves a
  stale heartbeat; `requeue_stale` puts the job back (queued / submitted) or, after
  MAX_ATTEMPTS claims, marks it failed with a reason. So a restart never loses a job.
  On PostgreSQL heartbeats and the stale cut-off use the database's clock (now()), so machines
  whose clocks disagree still agree on which lease is stale.
- approved means "staff said yes, not printed yet": when the printer is away the job stays
  approved with `print_error`, and approving again retries the output.
- Every worker update checks that the worker still holds the lease (a worker that lost its
  lease cannot overwrite the job another worker took over).

Claiming is one short transaction: `SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL; on
SQLite every write transaction starts with BEGIN IMMEDIATE (one writer at a time) and the
claim is a conditional UPDATE (`WHERE id = ? AND state = ?`) whose row count must be 1.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import socket
from dataclasses import asdict, dataclass, field
from typing import Any, Iterator, Sequence

from pydantic import BaseModel
from sqlalchemy import (JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text,
                        TypeDecorator, UniqueConstraint, case, create_engine, event, func, select,
                        update)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from base.errors import KioskError
from base.settings import settings
from jobs.schema import upgrade
from jobs.records import BuildResult, Candidate, EditRequest, GenerationInfo, Override, TextCheck

QUEUED, GENERATING, AWAITING_CHOICE = "queued", "generating", "awaiting_choice"
SUBMITTED, BUILDING, READY = "submitted", "building", "ready_for_review"
APPROVED, PRINTED, REJECTED, FAILED = "approved", "printed", "rejected", "failed"
CANCELLED, ABANDONED = "cancelled", "abandoned"
STATES = (QUEUED, GENERATING, AWAITING_CHOICE, SUBMITTED, BUILDING, READY, APPROVED, PRINTED,
          REJECTED, FAILED, CANCELLED, ABANDONED)
WORKING = (GENERATING, BUILDING)          # held by a worker lease
WAITING = (QUEUED, SUBMITTED)             # what a worker claims: queued first, each FIFO
FINAL = (PRINTED, REJECTED, FAILED, CANCELLED, ABANDONED)

TICKET_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O: they read as 1 and 0 at the counter


class QueueError(KioskError):
    """A queue operation that cannot be done (unknown job, wrong state...)."""


class ApprovalBlocked(QueueError):
    """The job's checks failed; approving it needs an override with a reason."""

    def __init__(self, ticket: str, blocks: list[str]):
        why = "; ".join(blocks)
        super().__init__(f"job {ticket} is blocked: {why}. Approve with an override reason "
                         f"to print it anyway", f"任务 {ticket} 未通过检查（{why}）；如仍要打印，"
                         f"请填写放行原因", field="override")
        self.blocks = blocks


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC on both engines (SQLite stores naive text)."""
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return value


class Base(DeclarativeBase):
    pass


class Job(Base):
    __tablename__ = "kiosk_jobs"
    __table_args__ = (UniqueConstraint("ticket_day", "ticket_seq", name="uq_kiosk_jobs_ticket"),
                      Index("ix_kiosk_jobs_state_created", "state", "created_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket: Mapped[str] = mapped_column(String(8))
    ticket_day: Mapped[str] = mapped_column(String(10))
    ticket_seq: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    source: Mapped[str] = mapped_column(String(16), default="kiosk")   # kiosk | cli
    session_id: Mapped[str | None] = mapped_column(String(64))        # the visitor's session
    design: Mapped[dict] = mapped_column(JSON)
    size: Mapped[str] = mapped_column(String(16), default="512x512")   # art WxH in pixels
    n_candidates: Mapped[int] = mapped_column(Integer, default=1)
    auto_choose: Mapped[bool] = mapped_column(Boolean, default=False)
    backend: Mapped[str | None] = mapped_column(String(32))            # the backend actually used
    candidates: Mapped[list | None] = mapped_column(JSON)              # [records.Candidate]
    chosen: Mapped[int | None] = mapped_column(Integer)
    ocr: Mapped[list | None] = mapped_column(JSON)                     # [records.TextCheck] of the chosen one
    art_path: Mapped[str | None] = mapped_column(String(255))
    pdf_path: Mapped[str | None] = mapped_column(String(255))
    sheet_path: Mapped[str | None] = mapped_column(String(255))
    proof_paths: Mapped[dict | None] = mapped_column(JSON)             # {"front": ..., "back": ...}
    build_info: Mapped[dict | None] = mapped_column(JSON)  # {"generation": GenerationInfo, "build": BuildResult}
    state: Mapped[str] = mapped_column(String(20), default=QUEUED, index=True)
    reject_reason: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    progress_message: Mapped[str | None] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)   # first generation claim
    generated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)  # reached ready_for_review
    worker: Mapped[str | None] = mapped_column(String(128))              # last worker that finished a step
    print_count: Mapped[int] = mapped_column(Integer, default=0)
    printed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    print_error: Mapped[str | None] = mapped_column(Text)
    approval_override: Mapped[dict | None] = mapped_column(JSON)       # records.Override
    edit_request: Mapped[dict | None] = mapped_column(JSON)            # records.EditRequest pending


class AuditLog(Base):
    __tablename__ = "kiosk_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40), index=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("kiosk_jobs.id", ondelete="SET NULL"))
    detail: Mapped[dict | None] = mapped_column(JSON)


class LoginThrottle(Base):
    """Failed staff logins per account, in the database so every session and rerun sees it."""
    __tablename__ = "kiosk_login_throttle"

    account: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_failure_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


@dataclass(frozen=True)
class JobInfo:
    """A plain snapshot of a job row (what pages, the CLI and the worker pass around)."""
    id: int
    ticket: str
    state: str
    created_at: dt.datetime
    updated_at: dt.datetime
    source: str
    session_id: str | None
    design: dict
    size: str
    n_candidates: int
    auto_choose: bool
    backend: str | None
    candidates: list[Candidate]
    chosen: int | None
    ocr: list[TextCheck]
    art_path: str | None
    pdf_path: str | None
    sheet_path: str | None
    proof_paths: dict
    generation: GenerationInfo | None
    build: BuildResult | None
    reject_reason: str | None
    error: str | None
    progress_done: int
    progress_total: int
    progress_message: str | None
    attempts: int
    lease_owner: str | None
    heartbeat_at: dt.datetime | None
    cancel_requested: bool
    started_at: dt.datetime | None
    generated_at: dt.datetime | None
    finished_at: dt.datetime | None
    worker: str | None
    print_count: int
    printed_at: dt.datetime | None
    print_error: str | None
    approval_override: Override | None
    edit_request: EditRequest | None = None

    @classmethod
    def of(cls, job: Job) -> "JobInfo":
        typed = {"candidates", "ocr", "generation", "build", "approval_override", "edit_request"}
        data = {f: getattr(job, f) for f in cls.__dataclass_fields__ if f not in typed}
        data["proof_paths"] = data["proof_paths"] or {}
        info = job.build_info or {}
        return cls(**data,
                   candidates=[Candidate.model_validate(c) for c in job.candidates or []],
                   ocr=[TextCheck.model_validate(c) for c in job.ocr or []],
                   generation=GenerationInfo.model_validate(info["generation"])
                   if info.get("generation") else None,
                   build=BuildResult.model_validate(info["build"]) if info.get("build") else None,
                   approval_override=Override.model_validate(job.approval_override)
                   if job.approval_override else None,
                   edit_request=EditRequest.model_validate(job.edit_request)
                   if job.edit_request else None)

    @property
    def ocr_ok(self) -> bool | None:
        """All lines of the chosen art read back (None: not checked yet). A line whose
        characters the recognizer does not know cannot be judged, so it does not count."""
        if not self.ocr:
            return None
        return all(c.passes for c in self.ocr)

    def approval_blocks(self) -> list[str]:
        """Why this job may not be approved without an override (empty: it may)."""
        blocks = []
        wrong = [c for c in self.ocr if not c.passes]
        if wrong:
            lines = ", ".join(f"'{c.expected}' read as '{c.read}'" for c in wrong)
            blocks.append(f"text does not read back exactly: {lines}")
        preflight = self.build.preflight if self.build else None
        if preflight is not None and preflight.errors:
            codes = ", ".join(sorted({i.code for i in preflight.errors}))
            blocks.append(f"preflight found {len(preflight.errors)} error(s): {codes}")
        return blocks

    def age_seconds(self, now: dt.datetime | None = None) -> float:
        return ((now or utcnow()) - self.created_at).total_seconds()

    def to_dict(self) -> dict:
        """Plain JSON-ready data (the command line's --json)."""
        def plain(v):
            if isinstance(v, dt.datetime):
                return v.isoformat()
            if isinstance(v, BaseModel):
                return v.model_dump(mode="json")
            if isinstance(v, list):
                return [plain(x) for x in v]
            return v

        out = {f: plain(getattr(self, f)) for f in self.__dataclass_fields__ if f != "job"}
        out["ocr_ok"] = self.ocr_ok
        out["approval_blocks"] = self.approval_blocks()
        return out


def text_paths(candidate_lists) -> dict:
    """Over generated jobs' candidates (Job.candidates values): lines per path (`model`,
    `repaired`, `typeset`), edit tries, lines that still fail or cannot be judged, and
    candidates kept from the visitor."""
    out = {"model": 0, "repaired": 0, "typeset": 0, "tries": 0, "failed": 0,
           "unverifiable": 0, "candidates": 0, "not_offered": 0}
    for cands in candidate_lists:
        for c in cands or []:
            cand = Candidate.model_validate(c)
            out["candidates"] += 1
            out["not_offered"] += not cand.offered and not cand.edited   # versions are never
            for t in cand.checks:
                out[t.path] += 1
                out["tries"] += t.tries
                out["failed"] += not t.passes
                out["unverifiable"] += bool(t.unverifiable) and not t.exact
    return out


@dataclass(frozen=True)
class Claim:
    """What a worker got from claim_next: one step of one job."""
    job_id: int
    step: str            # "generate", "edit" (queued with an edit_request) or "build"
    owner: str
    attempts: int
    job: JobInfo = field(repr=False)


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: dt.datetime
    actor: str
    action: str
    job_id: int | None
    detail: dict

    def to_dict(self) -> dict:
        d = asdict(self)
        d["at"] = self.at.isoformat()
        return d


def default_url() -> str:
    return settings().database_url()


def worker_id(label: str = "worker") -> str:
    """host:pid:thread: unique enough to own a lease, readable in the staff page."""
    return f"{socket.gethostname()}:{os.getpid()}:{label}"


def _sqlite_engine(url: str) -> Engine:
    from sqlalchemy.engine import make_url

    db = make_url(url).database
    if db and db != ":memory:" and not db.startswith("file:"):
        os.makedirs(os.path.dirname(os.path.abspath(db)), exist_ok=True)  # a fresh var/ folder
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    # The SQLAlchemy docs' recipe: take transaction control away from the sqlite3 module and
    # emit BEGIN ourselves. BEGIN IMMEDIATE for writes, so two writers never deadlock on a
    # read-to-write upgrade (SQLite would fail at once instead of waiting).
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        if not url.endswith(":memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def make_engine(url: str | None = None) -> Engine:
    url = url or default_url()
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    # pre_ping: a kiosk survives a database restart (the pool drops dead connections)
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


def ticket_label(seq: int) -> str:
    """1 -> A-001 ... 999 -> A-999, 1000 -> B-001: short enough to call out at the counter."""
    letter = TICKET_LETTERS[((seq - 1) // 999) % len(TICKET_LETTERS)]
    return f"{letter}-{(seq - 1) % 999 + 1:03d}"


def ticket_pattern(typed: str) -> str:
    """A ticket as staff type it, as a LIKE pattern on tickets without their dash: any case,
    with or without the dash and the leading zeros ("a12", "A-012" and "12" find A-012)."""
    text = re.sub(r"[^0-9A-Z]", "", typed.upper())
    m = re.fullmatch(r"([A-Z]?)(\d{1,3})", text)
    if m:
        text = m.group(1) + m.group(2).zfill(3)
    return f"%{text}%"


def _today() -> str:
    # the museum's local day: tickets restart every morning
    return dt.datetime.now().astimezone().date().isoformat()


class Store:
    """One per process (kiosk/resources.py caches it); thread-safe: sessions are per call."""

    def __init__(self, url: str | None = None, *, create: bool = True):
        self.url = url or default_url()
        self.engine = make_engine(self.url)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self._session = sessionmaker(self.engine, expire_on_commit=False)
        # reads need no write lock on SQLite (WAL readers never block the writer)
        self._read_engine = (self.engine.execution_options(sqlite_begin="DEFERRED")
                             if self.is_sqlite else self.engine)
        self._read_session = sessionmaker(self._read_engine, expire_on_commit=False)
        if create:
            upgrade(self.engine)

    def _beat(self):
        """The heartbeat clock: the database's on PostgreSQL, so workers and kiosks on machines
        whose clocks disagree still agree on which lease is stale (SQLite is one machine)."""
        return utcnow() if self.is_sqlite else func.now()

    def dispose(self) -> None:
        self.engine.dispose()

    @contextlib.contextmanager
    def session_scope(self, *, write: bool = True) -> Iterator[Session]:
        """Commit when the block ends, roll back on any error."""
        session = (self._session if write else self._read_session)()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    # -- helpers -----------------------------------------------------------------------------
    def _get(self, s: Session, job_id: int) -> Job:
        job = s.get(Job, int(job_id))
        if job is None:
            raise QueueError(f"no job with id {job_id}", f"没有编号为 {job_id} 的任务", field="id")
        return job

    @staticmethod
    def _need(job: Job, allowed: tuple[str, ...], action: str) -> None:
        if job.state not in allowed:
            raise QueueError(
                f"cannot {action} job {job.id} ({job.ticket}): it is {job.state}, "
                f"expected {' or '.join(allowed)}",
                f"无法对任务 {job.ticket} 执行此操作：当前状态为 {job.state}", field="state")

    @staticmethod
    def _log(s: Session, actor: str, action: str, job_id: int | None, detail: dict | None = None):
        s.add(AuditLog(actor=actor[:80], action=action, job_id=job_id, detail=detail or {}))

    # -- submitting ----------------------------------------------------------------------------
    def submit(self, payload: dict, *, actor: str = "kiosk", source: str = "kiosk", n: int = 1,
               size: str = "512x512", auto_choose: bool = False,
               session_id: str | None = None) -> JobInfo:
        """Queue a design that jobs.runner.submit_design has validated and moderated (its JSON
        form)."""
        for attempt in range(20):
            try:
                with self.session_scope() as s:
                    day = _today()
                    seq = (s.scalar(select(func.max(Job.ticket_seq)).where(Job.ticket_day == day))
                           or 0) + 1
                    job = Job(ticket=ticket_label(seq), ticket_day=day, ticket_seq=seq,
                              source=source, session_id=session_id, design=payload, size=size,
                              n_candidates=max(1, int(n)), auto_choose=auto_choose, state=QUEUED,
                              progress_total=max(1, int(n)), progress_message="queued")
                    s.add(job)
                    s.flush()
                    self._log(s, actor, "submitted", job.id,
                              {"ticket": job.ticket, "source": source, "n": job.n_candidates})
                    return JobInfo.of(job)
            except IntegrityError:
                # two kiosks took the same ticket number at once (PostgreSQL): take the next
                continue
        raise QueueError("could not allocate a ticket number", "无法分配取件号")

    # -- the worker side -----------------------------------------------------------------------
    def _exists(self, *where) -> bool:
        # a cheap read first: idle workers poll often, and on SQLite a write transaction
        # takes the database's single write lock
        with self.session_scope(write=False) as s:
            return s.scalar(select(Job.id).where(*where).limit(1)) is not None

    def claim_next(self, owner: str) -> Claim | None:
        """Take the next waiting job: the oldest queued one (-> generating), else the oldest
        submitted one (-> building)."""
        if not self._exists(Job.state.in_(WAITING)):
            return None
        with self.session_scope() as s:
            # generation first (a visitor is watching the progress bar), then builds (the
            # visitor is walking to the shop); each FIFO by creation time
            first = case((Job.state == QUEUED, 0), else_=1)
            q = (select(Job.id, Job.state).where(Job.state.in_(WAITING))
                 .order_by(first, Job.created_at, Job.id).limit(1))
            if not self.is_sqlite:
                q = q.with_for_update(skip_locked=True, of=Job)
            row = s.execute(q).first()
            if row is None:
                return None
            job_id, state = row
            to = GENERATING if state == QUEUED else BUILDING
            now = utcnow()
            values: dict[str, Any] = dict(state=to, lease_owner=owner, heartbeat_at=self._beat(),
                                          attempts=Job.attempts + 1, updated_at=now, error=None,
                                          progress_message="starting")
            res = s.execute(update(Job).where(Job.id == job_id, Job.state == state).values(**values)
                            .execution_options(synchronize_session=False))
            if res.rowcount != 1:  # someone else got it between our SELECT and UPDATE
                return None
            job = s.get(Job, job_id)
            s.refresh(job)
            if to == GENERATING and job.started_at is None:
                job.started_at = now
            self._log(s, owner, "claimed", job_id, {"step": to, "attempt": job.attempts})
            step = ("edit" if job.edit_request else "generate") if to == GENERATING else "build"
            return Claim(job_id, step, owner, job.attempts, JobInfo.of(job))

    def _leased(self, s: Session, job_id: int, owner: str) -> Job | None:
        job = s.get(Job, int(job_id))
        if job is None or job.state not in WORKING or job.lease_owner != owner:
            return None
        return job

    def heartbeat(self, job_id: int, owner: str) -> bool:
        """Renew the lease; False when the worker lost it (stop working on this job)."""
        with self.session_scope() as s:
            res = s.execute(update(Job).where(Job.id == job_id, Job.lease_owner == owner,
                                              Job.state.in_(WORKING))
                            .values(heartbeat_at=self._beat())
                            .execution_options(synchronize_session=False))
            return res.rowcount == 1

    def set_progress(self, job_id: int, owner: str, done: int, total: int, message: str = "") -> bool:
        with self.session_scope() as s:
            res = s.execute(update(Job).where(Job.id == job_id, Job.lease_owner == owner,
                                              Job.state.in_(WORKING))
                            .values(progress_done=done, progress_total=total,
                                    progress_message=message[:200], heartbeat_at=self._beat())
                            .execution_options(synchronize_session=False))
            return res.rowcount == 1

    def cancel_requested(self, job_id: int) -> bool:
        with self.session_scope(write=False) as s:
            return bool(s.scalar(select(Job.cancel_requested).where(Job.id == job_id)))

    def finish_generation(self, job_id: int, owner: str, *, backend: str,
                          candidates: Sequence[Candidate],
                          info: GenerationInfo | None = None) -> JobInfo | None:
        """Store candidates; auto_choose jobs go straight on to the build step."""
        with self.session_scope() as s:
            job = self._leased(s, job_id, owner)
            if job is None:
                return None
            job.backend = backend
            job.candidates = [c.model_dump(mode="json") for c in candidates]
            job.attempts = 0  # MAX_ATTEMPTS counts per step: the build step starts afresh
            job.generated_at, job.worker = utcnow(), owner
            job.lease_owner = job.heartbeat_at = None
            job.progress_done, job.progress_message = job.progress_total, "generated"
            job.build_info = {**(job.build_info or {}),
                              "generation": (info or GenerationInfo()).model_dump(mode="json")}
            if job.auto_choose:
                best = max(range(len(candidates)),
                           key=lambda i: (candidates[i].offered, candidates[i].passes,
                                          candidates[i].all_exact, candidates[i].mean_ned))
                self._choose(job, best)
                job.state = SUBMITTED
                self._log(s, owner, "generated", job_id, {"backend": backend, "auto_chosen": best})
            else:
                job.state = AWAITING_CHOICE
                self._log(s, owner, "generated", job_id, {"backend": backend})
            return JobInfo.of(job)

    def request_edit(self, job_id: int, request: EditRequest, *, actor: str = "visitor") -> JobInfo:
        """Queue a visitor's edit that jobs.runner.submit_edit validated and moderated: the
        worker claims it like a generation (the visitor's progress bar works the same)."""
        with self.session_scope() as s:
            job = self._get(s, job_id)
            self._need(job, (AWAITING_CHOICE,), "edit")
            if not 0 <= request.base < len(job.candidates or []):
                raise QueueError(f"job {job.id} has no candidate {request.base}", "没有这个候选图",
                                 field="base")
            job.edit_request = request.model_dump(mode="json")
            job.state, job.error, job.attempts = QUEUED, None, 0
            job.progress_done, job.progress_total, job.progress_message = 0, 1, "edit queued"
            self._log(s, actor, "edit_requested", job.id,
                      {"base": request.base, "lines": len(request.lines)})
            return JobInfo.of(job)

    def finish_edit(self, job_id: int, owner: str, candidate: Candidate) -> JobInfo | None:
        """The edited version joins the job's candidates; the visitor chooses again."""
        with self.session_scope() as s:
            job = self._leased(s, job_id, owner)
            if job is None:
                return None
            job.candidates = [*(job.candidates or []), candidate.model_dump(mode="json")]
            job.edit_request, job.state, job.attempts = None, AWAITING_CHOICE, 0
            job.generated_at, job.worker = utcnow(), owner   # the choice clock starts again
            job.lease_owner = job.heartbeat_at = None
            job.progress_done, job.progress_message = job.progress_total, "edited"
            self._log(s, owner, "edited", job_id, {"version": len(job.candidates) - 1,
                                                   "parent": candidate.parent})
            return JobInfo.of(job)

    def edit_failed(self, job_id: int, owner: str, error: str) -> JobInfo | None:
        """An edit that failed loses nothing: back to the choice, `error` says why (staff)."""
        with self.session_scope() as s:
            job = self._leased(s, job_id, owner)
            if job is None:
                return None
            self._edit_failed(s, job, owner, error)
            return JobInfo.of(job)

    def _edit_failed(self, s: Session, job: Job, actor: str, error: str) -> None:
        job.state, job.error, job.edit_request = AWAITING_CHOICE, error[:2000], None
        job.lease_owner = job.heartbeat_at = None
        job.generated_at = utcnow()
        self._log(s, actor, "edit_failed", job.id, {"error": error[:500]})

    @staticmethod
    def _choose(job: Job, index: int) -> None:
        cands = job.candidates or []
        if not 0 <= index < len(cands):
            raise QueueError(f"job {job.id} has no candidate {index}", "没有这个候选图", field="chosen")
        chosen = Candidate.model_validate(cands[index])
        job.chosen = index
        job.art_path = chosen.path
        job.ocr = [c.model_dump(mode="json") for c in chosen.checks]
        if chosen.edited:   # the Design prints the words the visitor edited
            job.design = {**job.design, "lines": [dict(ln) for ln in chosen.lines]}

    def choose(self, job_id: int, index: int, *, actor: str = "visitor") -> JobInfo:
        """The visitor picked a candidate and submitted: the worker builds the product next."""
        with self.session_scope() as s:
            job = self._get(s, job_id)
            self._need(job, (AWAITING_CHOICE,), "submit")
            self._choose(job, index)
            job.state = SUBMITTED
            self._log(s, actor, "chosen", job.id, {"candidate": index})
            return JobInfo.of(job)

    def finish_build(self, job_id: int, owner: str, result: BuildResult) -> JobInfo | None:
        with self.session_scope() as s:
            job = self._leased(s, job_id, owner)
            if job is None:
                return None
            pdf_path, sheet_path = result.pdf_path, result.sheet_path
            job.pdf_path, job.sheet_path = pdf_path, sheet_path
            job.proof_paths = dict(result.proof_paths)
            job.build_info = {**(job.build_info or {}), "build": result.model_dump(mode="json")}
            job.state, job.finished_at, job.worker = READY, utcnow(), owner
            job.lease_owner = job.heartbeat_at = None
            job.progress_message = "ready for review"
            self._log(s, owner, "built", job_id, {"pdf": pdf_path, "sheet": sheet_path})
            return JobInfo.of(job)

    def fail(self, job_id: int, owner: str, error: str) -> JobInfo | None:
        with self.session_scope() as s:
            job = self._leased(s, job_id, owner)
            if job is None:
                return None
            job.state, job.error = FAILED, error[:2000]
            job.lease_owner = job.heartbeat_at = None
            self._log(s, owner, "failed", job_id, {"error": error[:500]})
            return JobInfo.of(job)

    def cancelled(self, job_id: int, owner: str) -> JobInfo | None:
        """The worker stopped a job because cancel was requested."""
        with self.session_scope() as s:
            job = self._leased(s, job_id, owner)
            if job is None:
                return None
            job.state = CANCELLED
            job.lease_owner = job.heartbeat_at = None
            self._log(s, owner, "cancelled", job_id, {})
            return JobInfo.of(job)

    def lease_owners(self) -> set[str]:
        """Owners of the jobs being worked on right now."""
        with self.session_scope(write=False) as s:
            return {o for o in s.scalars(select(Job.lease_owner).where(Job.state.in_(WORKING))) if o}

    def requeue_stale(self, *, lease_seconds: float | None = None,
                      max_attempts: int | None = None, actor: str = "recovery",
                      dead_owners: tuple[str, ...] | list[str] = ()) -> list[tuple[int, str]]:
        """Jobs whose worker stopped heartbeating (or is known dead) go back to the queue, or
        fail after N tries."""
        lease = settings().lease_seconds if lease_seconds is None else lease_seconds
        limit = settings().max_attempts if max_attempts is None else max_attempts
        cutoff = self._beat() - dt.timedelta(seconds=lease)
        done: list[tuple[int, str]] = []
        stale = (Job.heartbeat_at == None) | (Job.heartbeat_at < cutoff)  # noqa: E711
        if dead_owners:
            stale = stale | Job.lease_owner.in_(tuple(dead_owners))
        if not self._exists(Job.state.in_(WORKING), stale):
            return done
        with self.session_scope() as s:
            q = select(Job).where(Job.state.in_(WORKING), stale)
            if not self.is_sqlite:
                q = q.with_for_update(skip_locked=True)
            for job in s.scalars(q):
                dead = job.lease_owner
                if job.attempts >= limit and job.state == GENERATING and job.edit_request:
                    # an edit that keeps killing workers: the candidates are still good
                    self._edit_failed(s, job, actor, f"gave up the edit after {job.attempts} "
                                      f"attempts (last worker {dead})")
                    done.append((job.id, "edit_failed"))
                    continue
                if job.attempts >= limit:
                    job.error = (f"gave up after {job.attempts} attempts: the worker stopped "
                                 f"during {job.state} each time (last worker {dead})")
                    job.state = FAILED
                    action = "failed"
                else:
                    job.state = QUEUED if job.state == GENERATING else SUBMITTED
                    job.progress_message = "requeued after a worker stopped"
                    action = "requeued"
                job.lease_owner = job.heartbeat_at = None
                self._log(s, actor, action, job.id, {"dead_worker": dead, "attempts": job.attempts})
                done.append((job.id, action))
        return done

    def expire_unchosen(self, *, max_age_seconds: float | None = None,
                        actor: str = "recovery") -> list[int]:
        """Candidates nobody chose (the tab was closed without a reset) -> abandoned."""
        if max_age_seconds is None:
            max_age_seconds = settings().choice_seconds
        cutoff = utcnow() - dt.timedelta(seconds=max_age_seconds)
        old = (Job.state == AWAITING_CHOICE, Job.generated_at < cutoff)
        if not self._exists(*old):
            return []
        with self.session_scope() as s:
            jobs = list(s.scalars(select(Job).where(*old)))
            for job in jobs:
                job.state = ABANDONED
                self._log(s, actor, "abandoned", job.id, {"reason": "no choice made in time"})
            return [j.id for j in jobs]

    # -- visitor and staff actions -------------------------------------------------------------
    def request_cancel(self, job_id: int, *, actor: str = "visitor", abandon: bool = False) -> JobInfo:
        """Stop a job the visitor no longer wants; a running worker sees cancel_requested."""
        with self.session_scope() as s:
            job = self._get(s, job_id)
            if job.state in (QUEUED, AWAITING_CHOICE):
                job.state = ABANDONED if abandon else CANCELLED
            elif job.state == GENERATING:
                job.cancel_requested = True
            else:
                return JobInfo.of(job)  # submitted jobs go on: the visitor already has a ticket
            self._log(s, actor, "abandoned" if abandon else "cancel", job.id, {"state": job.state})
            return JobInfo.of(job)

    def approve(self, job_id: int, *, actor: str, override: str | None = None) -> JobInfo:
        """Staff said yes. A job whose checks failed (`JobInfo.approval_blocks`) needs
        `override`, the reason a person gives for printing it anyway (audit-logged)."""
        override = (override or "").strip() or None
        with self.session_scope() as s:
            job = self._get(s, job_id)
            if job.state == APPROVED:  # approving again retries a failed output
                return JobInfo.of(job)
            self._need(job, (READY,), "approve")
            blocks = JobInfo.of(job).approval_blocks()
            if blocks and not override:
                raise ApprovalBlocked(job.ticket, blocks)
            job.state = APPROVED
            if blocks:
                job.approval_override = Override(actor=actor, reason=override[:500],
                                                 blocks=blocks).model_dump(mode="json")
                self._log(s, actor, "approved_override", job.id,
                          {"reason": override[:500], "blocks": blocks})
            else:
                self._log(s, actor, "approved", job.id, {})
            return JobInfo.of(job)

    def mark_printed(self, job_id: int, *, actor: str, destination: str,
                     output: str | None = None) -> JobInfo:
        """The PDF left for `destination`; `output` says what took it (print/output.py
        PRINTER or HOT_FOLDER), kept in the audit entry (see print_outputs)."""
        with self.session_scope() as s:
            job = self._get(s, job_id)
            self._need(job, (APPROVED, PRINTED), "print")
            job.state, job.printed_at, job.print_error = PRINTED, utcnow(), None
            job.print_count = (job.print_count or 0) + 1
            detail = {"destination": destination, "count": job.print_count}
            if output:
                detail["output"] = output
            self._log(s, actor, "printed" if job.print_count == 1 else "reprinted", job.id, detail)
            return JobInfo.of(job)

    def print_failed(self, job_id: int, *, actor: str, error: str) -> JobInfo:
        with self.session_scope() as s:
            job = self._get(s, job_id)
            job.print_error = error[:1000]
            self._log(s, actor, "print_failed", job.id, {"error": error[:500]})
            return JobInfo.of(job)

    def reject(self, job_id: int, *, actor: str, reason: str) -> JobInfo:
        reason = (reason or "").strip()
        if not reason:
            raise QueueError("a reject needs a reason", "拒绝时须填写原因", field="reason")
        with self.session_scope() as s:
            job = self._get(s, job_id)
            self._need(job, (READY, APPROVED), "reject")
            job.state, job.reject_reason = REJECTED, reason[:1000]
            self._log(s, actor, "rejected", job.id, {"reason": reason[:500]})
            return JobInfo.of(job)

    def retry(self, job_id: int, *, actor: str) -> JobInfo:
        """A failed job goes back to the queue (staff decision), attempts start again."""
        with self.session_scope() as s:
            job = self._get(s, job_id)
            self._need(job, (FAILED,), "retry")
            job.state = SUBMITTED if job.chosen is not None else QUEUED
            job.attempts, job.error = 0, None
            self._log(s, actor, "retried", job.id, {})
            return JobInfo.of(job)

    # -- reading -------------------------------------------------------------------------------
    def get(self, job_id: int) -> JobInfo:
        with self.session_scope(write=False) as s:
            return JobInfo.of(self._get(s, job_id))

    def find(self, ref: str | int) -> JobInfo:
        """By id (12) or by today's ticket (A-012)."""
        text = str(ref).strip().upper()
        if text.isdigit():
            return self.get(int(text))
        with self.session_scope(write=False) as s:
            job = s.scalars(select(Job).where(Job.ticket == text)
                            .order_by(Job.created_at.desc()).limit(1)).first()
            if job is None:
                raise QueueError(f"no job with ticket {text}", f"没有取件号为 {text} 的任务", field="id")
            return JobInfo.of(job)

    def list_jobs(self, states: tuple[str, ...] | list[str] | None = None, *, limit: int = 200,
                  newest_first: bool = False, ticket: str | None = None) -> list[JobInfo]:
        """Jobs in `states` (None: all), oldest first; `ticket`: only the jobs with the ticket
        typed (see ticket_pattern)."""
        with self.session_scope(write=False) as s:
            q = select(Job)
            if states:
                q = q.where(Job.state.in_(tuple(states)))
            if ticket is not None:
                q = q.where(func.replace(Job.ticket, "-", "").like(ticket_pattern(ticket)))
            order = (Job.created_at.desc(), Job.id.desc()) if newest_first else (Job.created_at, Job.id)
            return [JobInfo.of(j) for j in s.scalars(q.order_by(*order).limit(limit))]

    def counts(self) -> dict[str, int]:
        with self.session_scope(write=False) as s:
            rows = s.execute(select(Job.state, func.count()).group_by(Job.state)).all()
        return {state: n for state, n in rows}

    def stats(self, *, since_hours: float | None = None) -> dict:
        """Jobs per state, waiting time, per-worker throughput, how candidates' text was
        obtained (`text`: see text_paths) (for `queue stats`).

        Waiting time: submission -> first claim (a visitor waiting for generation to start).
        Per worker, from the audit log: steps done (generated, built, failed), the time from
        its first claim to its last finish, and steps per minute over that span. Leases: jobs
        being worked on now with the age of their heartbeat (a dead worker shows as an old
        heartbeat until the lease runs out). `since_hours` limits everything but the state
        counts and the leases to recent jobs and entries."""
        now = utcnow()
        since = now - dt.timedelta(hours=since_hours) if since_hours else None
        with self.session_scope(write=False) as s:
            q = select(Job.created_at, Job.started_at, Job.state)
            if since is not None:
                q = q.where(Job.created_at >= since)
            rows = s.execute(q).all()
            cq = select(Job.candidates).where(Job.candidates.is_not(None))
            if since is not None:
                cq = cq.where(Job.created_at >= since)
            text = text_paths(s.scalars(cq).all())
            aq = (select(AuditLog.actor, AuditLog.action, func.count(), func.min(AuditLog.at),
                         func.max(AuditLog.at))
                  .where(AuditLog.action.in_(("claimed", "generated", "built", "failed")))
                  .group_by(AuditLog.actor, AuditLog.action))
            if since is not None:
                aq = aq.where(AuditLog.at >= since)
            acts = s.execute(aq).all()
            leases = s.execute(select(Job.id, Job.ticket, Job.state, Job.lease_owner,
                                      Job.heartbeat_at, Job.attempts)
                               .where(Job.state.in_(WORKING))).all()
            db_now = now if self.is_sqlite else s.scalar(select(func.now()))
        waits = sorted((st - c).total_seconds() for c, st, _ in rows if st)
        waiting = [(now - c).total_seconds() for c, _, state in rows if state in WAITING]

        def pct(p: float) -> float | None:
            return round(waits[min(len(waits) - 1, int(p * len(waits)))], 3) if waits else None

        per_worker: dict[str, dict] = {}
        for actor, action, n, first, last in acts:
            w = per_worker.setdefault(actor, {"claimed": 0, "generated": 0, "built": 0,
                                              "failed": 0, "first": None, "last": None})
            w[action] = n
            if action == "claimed":
                w["first"] = first
            else:
                w["last"] = max(filter(None, (w["last"], last)))
        per_worker = {a: w for a, w in per_worker.items() if w["first"]}  # workers, not staff
        for w in per_worker.values():
            steps = w["generated"] + w["built"]
            span = (w["last"] - w["first"]).total_seconds() if w["last"] else 0.0
            w["steps_per_minute"] = round(steps / span * 60, 2) if span > 0 else None
            w["first"] = w["first"].isoformat()
            w["last"] = w["last"].isoformat() if w["last"] else None
        return {"states": self.counts(), "jobs": len(rows),
                "since": since.isoformat() if since else None,
                "median_wait_s": pct(0.5), "p90_wait_s": pct(0.9),
                "max_wait_s": round(waits[-1], 3) if waits else None,
                "waiting_now": len(waiting),
                "oldest_waiting_s": round(max(waiting), 3) if waiting else None,
                "per_worker": per_worker, "text": text,
                "finished_per_worker": {a: w["built"] for a, w in per_worker.items() if w["built"]},
                "leases": [{"id": i, "ticket": t, "state": st, "owner": o, "attempts": n,
                            "heartbeat_age_s": round((db_now - hb).total_seconds(), 3) if hb else None}
                           for i, t, st, o, hb, n in leases]}

    # -- audit ---------------------------------------------------------------------------------
    def audit(self, actor: str, action: str, job_id: int | None = None,
              detail: dict | None = None) -> None:
        with self.session_scope() as s:
            self._log(s, actor, action, job_id, detail)

    def audit_log(self, *, job_id: int | None = None, action: str | None = None,
                  limit: int = 200) -> list[AuditEntry]:
        with self.session_scope(write=False) as s:
            q = select(AuditLog)
            if job_id is not None:
                q = q.where(AuditLog.job_id == job_id)
            if action:
                q = q.where(AuditLog.action == action)
            rows = s.scalars(q.order_by(AuditLog.id.desc()).limit(limit))
            return [AuditEntry(r.id, r.at, r.actor, r.action, r.job_id, r.detail or {}) for r in rows]

    def print_outputs(self, job_ids: Sequence[int]) -> dict[int, dict]:
        """Each job's latest printed/reprinted audit detail (where its PDF went), by job id."""
        if not job_ids:
            return {}
        with self.session_scope(write=False) as s:
            rows = s.execute(select(AuditLog.job_id, AuditLog.detail)
                             .where(AuditLog.job_id.in_(tuple(job_ids)),
                                    AuditLog.action.in_(("printed", "reprinted")))
                             .order_by(AuditLog.id)).all()
        return {job_id: detail or {} for job_id, detail in rows}   # the last one wins

    # -- staff login throttle ------------------------------------------------------------------
    def locked_until(self, account: str) -> dt.datetime | None:
        with self.session_scope(write=False) as s:
            row = s.get(LoginThrottle, account)
            if row and row.locked_until and row.locked_until > utcnow():
                return row.locked_until
            return None

    def login_failures(self, account: str) -> int:
        """Wrong passwords in a row so far (0 once a lock has run out)."""
        with self.session_scope(write=False) as s:
            row = s.get(LoginThrottle, account)
            if row is None or (row.locked_until and row.locked_until <= utcnow()):
                return 0
            return row.failures or 0

    def login_failed(self, account: str, *, max_failures: int, lock_seconds: float,
                     actor: str = "staff") -> dt.datetime | None:
        """Count a failure; returns the lock end when this failure locks the account."""
        try:
            return self._login_failed(account, max_failures, lock_seconds, actor)
        except IntegrityError:  # two first failures at once created the row twice: count again
            return self._login_failed(account, max_failures, lock_seconds, actor)

    def _login_failed(self, account: str, max_failures: int, lock_seconds: float,
                      actor: str) -> dt.datetime | None:
        with self.session_scope() as s:
            row = s.get(LoginThrottle, account) or LoginThrottle(account=account, failures=0)
            s.add(row)
            now = utcnow()
            if row.locked_until and row.locked_until <= now:
                row.failures, row.locked_until = 0, None  # the previous lock ran out
            row.failures = (row.failures or 0) + 1
            row.last_failure_at = now
            locked = None
            if row.failures >= max_failures:
                locked = row.locked_until = now + dt.timedelta(seconds=lock_seconds)
            self._log(s, actor, "login_failed", None,
                      {"account": account, "failures": row.failures,
                       "locked_until": locked.isoformat() if locked else None})
            return locked

    def login_succeeded(self, account: str, *, actor: str) -> None:
        with self.session_scope() as s:
            row = s.get(LoginThrottle, account)
            if row:
                row.failures, row.locked_until = 0, None
            self._log(s, actor, "login", None, {"account": account})


__all__ = ["Store", "Job", "AuditLog", "JobInfo", "Claim", "AuditEntry", "QueueError", "STATES",
           "QUEUED", "GENERATING", "AWAITING_CHOICE", "SUBMITTED", "BUILDING", "READY", "APPROVED",
           "PRINTED", "REJECTED", "FAILED", "CANCELLED", "ABANDONED", "WORKING", "WAITING", "FINAL",
           "ticket_label", "worker_id", "make_engine", "default_url", "utcnow", "ApprovalBlocked"]
