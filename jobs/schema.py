"""Schema of the job database (placeholder until migrations land)."""
from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.engine import Engine


def upgrade(engine: Engine, metadata: MetaData) -> None:
    metadata.create_all(engine)
