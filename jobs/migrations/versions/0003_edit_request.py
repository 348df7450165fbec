"""kiosk_jobs.edit_request: a visitor's pending edit of a chosen candidate (records.EditRequest).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06

A nullable column, added in place like 0002 (existing rows read NULL = no edit pending).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("kiosk_jobs", sa.Column("edit_request", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("kiosk_jobs", "edit_request")  # not batch mode: see 0002
