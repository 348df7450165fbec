"""The job tables exactly as the release before Alembic declared them (print/store.py at commit
3530950: Job, AuditLog, LoginThrottle, made with Base.metadata.create_all; no
kiosk_jobs.approval_override yet). Tests build "a database that release made" with
`create_release_schema` and check that jobs.schema adopts it. Never change these classes: they
are a record of what is deployed."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text,
                        TypeDecorator, UniqueConstraint)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

QUEUED = "queued"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC on both engines (SQLite stores naive text)."""
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
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
    candidates: Mapped[list | None] = mapped_column(JSON)  # [{seed, path, checks[], all_exact, mean_ned}]
    chosen: Mapped[int | None] = mapped_column(Integer)
    ocr: Mapped[list | None] = mapped_column(JSON)                     # checks of the chosen candidate
    art_path: Mapped[str | None] = mapped_column(String(255))
    pdf_path: Mapped[str | None] = mapped_column(String(255))
    sheet_path: Mapped[str | None] = mapped_column(String(255))
    proof_paths: Mapped[dict | None] = mapped_column(JSON)             # {"front": ..., "back": ...}
    build_info: Mapped[dict | None] = mapped_column(JSON)              # what built the PDF, preflight
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


def create_release_schema(engine: Engine) -> None:
    """What the release did on first use: Base.metadata.create_all."""
    Base.metadata.create_all(engine)
