"""Every file the queue keeps goes through this module, so object storage could replace it.

Layout under the var folder (KIOSK_VAR, default <repo>/var; on several kiosks, a network
share mounted at the same or different paths):

    var/kiosk.db                 the default SQLite queue
    var/jobs/<job id>/...        candidate art, chosen art, product PDF, imposed sheet, proofs
    var/hotfolder/               approved PDFs for the print shop's RIP or a watching script

The database stores paths RELATIVE to the var folder ("jobs/12/art_0.png"), so machines that
mount the share at different places read the same rows.
"""
from __future__ import annotations

import io
from pathlib import Path

from base.atomic import write_atomic
from base.settings import settings


def var_dir() -> Path:
    d = settings().var
    d.mkdir(parents=True, exist_ok=True)
    return d


def job_dir(job_id: int) -> Path:
    d = var_dir() / "jobs" / str(int(job_id))
    d.mkdir(parents=True, exist_ok=True)
    return d


def hotfolder_dir() -> Path:
    d = settings().hotfolder_dir()
    d.mkdir(parents=True, exist_ok=True)
    return d


def resolve(rel: str | None) -> Path | None:
    """The absolute path of a stored relative path (None stays None)."""
    if not rel:
        return None
    p = Path(rel)
    return p if p.is_absolute() else var_dir() / p


def _rel(path: Path) -> str:
    return path.relative_to(var_dir()).as_posix()


def write_bytes(job_id: int, name: str, data: bytes) -> str:
    path = job_dir(job_id) / name
    write_atomic(path, data)
    return _rel(path)


def save_image(job_id: int, name: str, image, *, compress_level: int = 1) -> str:
    """A PIL image as PNG; returns the stored relative path. Level 1: the visitor waits for
    these files (about 5x faster than PIL's default 6, files about 30% larger)."""
    buf = io.BytesIO()
    image.save(buf, format="PNG", compress_level=compress_level)
    return write_bytes(job_id, name, buf.getvalue())


def import_file(job_id: int, src: str | Path, name: str | None = None) -> str:
    """Copy a file some other module wrote (a product PDF) into the job folder."""
    src = Path(src)
    dest = job_dir(job_id) / (name or src.name)
    if src.resolve() != dest.resolve():
        write_atomic(dest, src.read_bytes())
    return _rel(dest)


def read_bytes(rel: str) -> bytes:
    return resolve(rel).read_bytes()


def exists(rel: str | None) -> bool:
    p = resolve(rel)
    return bool(p and p.exists())


