"""The schema of the release before Alembic (print/store.py at 3530950, Base.metadata.create_all).

Revision ID: 0001
Revises:
Create Date: 2026-11-26

Written out by hand, column for column in the model's order: a database that release made is
stamped 0001 without running this (jobs.schema), so both must give the same tables, indexes
and constraints. DateTime(timezone=True) is what the store's UTCDateTime type stores.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kiosk_jobs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True, nullable=False),
        sa.Column("ticket", sa.String(8), nullable=False),
        sa.Column("ticket_day", sa.String(10), nullable=False),
        sa.Column("ticket_seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("session_id", sa.String(64), nullable=True),
        sa.Column("design", sa.JSON(), nullable=False),
        sa.Column("size", sa.String(16), nullable=False),
        sa.Column("n_candidates", sa.Integer(), nullable=False),
        sa.Column("auto_choose", sa.Boolean(), nullable=False),
        sa.Column("backend", sa.String(32), nullable=True),
        sa.Column("candidates", sa.JSON(), nullable=True),
        sa.Column("chosen", sa.Integer(), nullable=True),
        sa.Column("ocr", sa.JSON(), nullable=True),
        sa.Column("art_path", sa.String(255), nullable=True),
        sa.Column("pdf_path", sa.String(255), nullable=True),
        sa.Column("sheet_path", sa.String(255), nullable=True),
        sa.Column("proof_paths", sa.JSON(), nullable=True),
        sa.Column("build_info", sa.JSON(), nullable=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("reject_reason", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("progress_done", sa.Integer(), nullable=False),
        sa.Column("progress_total", sa.Integer(), nullable=False),
        sa.Column("progress_message", sa.String(200), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(128), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("generated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("worker", sa.String(128), nullable=True),
        sa.Column("print_count", sa.Integer(), nullable=False),
        sa.Column("printed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("print_error", sa.Text(), nullable=True),
        sa.UniqueConstraint("ticket_day", "ticket_seq", name="uq_kiosk_jobs_ticket"),
    )
    op.create_index("ix_kiosk_jobs_state_created", "kiosk_jobs", ["state", "created_at"])
    op.create_index("ix_kiosk_jobs_state", "kiosk_jobs", ["state"])

    op.create_table(
        "kiosk_audit",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("job_id", sa.Integer(), sa.ForeignKey("kiosk_jobs.id", ondelete="SET NULL"),
                  nullable=True),
        sa.Column("detail", sa.JSON(), nullable=True),
    )
    op.create_index("ix_kiosk_audit_at", "kiosk_audit", ["at"])
    op.create_index("ix_kiosk_audit_action", "kiosk_audit", ["action"])

    op.create_table(
        "kiosk_login_throttle",
        sa.Column("account", sa.String(80), primary_key=True, nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("kiosk_login_throttle")
    op.drop_index("ix_kiosk_audit_action", table_name="kiosk_audit")
    op.drop_index("ix_kiosk_audit_at", table_name="kiosk_audit")
    op.drop_table("kiosk_audit")
    op.drop_index("ix_kiosk_jobs_state", table_name="kiosk_jobs")
    op.drop_index("ix_kiosk_jobs_state_created", table_name="kiosk_jobs")
    op.drop_table("kiosk_jobs")
