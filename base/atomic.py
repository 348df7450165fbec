"""Atomic file writes: a reader (staff page, printer, RIP, a second kiosk) never sees half a file."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: str | Path, data: bytes, *, mode: int = 0o644, fsync: bool = False) -> Path:
    """Write to a temporary file beside `path`, then rename it over `path` (`fsync`: survive a
    power cut too, for small records that must never be lost)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, mode)  # mkstemp makes 0600: the staff page or a RIP may be another user
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
