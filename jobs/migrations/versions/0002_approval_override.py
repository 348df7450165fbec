"""kiosk_jobs.approval_override: the reason a staff member approved a blocked job.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27

A nullable column: ALTER TABLE ... ADD COLUMN on both engines (SQLite adds a nullable column
in place, no batch copy of the table; existing rows read NULL = no override).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("kiosk_jobs", sa.Column("approval_override", sa.JSON(), nullable=True))


def downgrade() -> None:
    # plain ALTER TABLE DROP COLUMN (SQLite >= 3.35). Not batch mode: its copy-and-drop of
    # kiosk_jobs would fire kiosk_audit's ON DELETE SET NULL with foreign keys on
    op.drop_column("kiosk_jobs", "approval_override")
