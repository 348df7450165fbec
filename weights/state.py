"""Where an installation lives and what it has verified (state.json).

The folder is `weights/` in the repo, or $KIOSK_WEIGHTS. state.json records each file that was
imported, converted, swapped or made, with its size, mtime and sha256 at the time it was
verified. status() trusts a record while size and mtime still match, so the kiosk learns which
backend to use without hashing 5 GB at start-up. Writes are atomic (temp file + os.replace).
"""
from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from base.atomic import write_atomic
from base.settings import settings
from weights.errors import WeightsError
from weights.manifest import PACKAGE_DIR, WeightEntry

STATE_FILE = "state.json"
Kind = Literal["official", "converted", "swapped", "tiny", "other"]


def weights_dir(dir: str | Path | None = None) -> Path:
    """The installation folder: explicit argument, else $KIOSK_WEIGHTS, else the package folder."""
    if dir is not None:
        return Path(dir)
    return settings().weights or PACKAGE_DIR


class FileRecord(BaseModel):
    """One verified weights file in the folder."""
    model_config = ConfigDict(extra="ignore")
    file: str
    size: int
    sha256: str | None = None
    mtime_ns: int
    kind: Kind
    keys: int = 0
    size_class: Literal["full", "reduced"] = "full"
    source: str | None = None          # where it was imported from / what it was made from
    detail: dict = Field(default_factory=dict)
    verified_at: str = ""

    @property
    def entry(self) -> WeightEntry:
        return WeightEntry(self.file, self.size, self.sha256)

    def matches(self, path: Path) -> bool:
        """The file on disk is still the one we verified (same size and mtime)."""
        try:
            st = path.stat()
        except OSError:
            return False
        return st.st_size == self.size and st.st_mtime_ns == self.mtime_ns


class State(BaseModel):
    model_config = ConfigDict(extra="ignore")
    version: int = 1
    files: dict[str, FileRecord] = Field(default_factory=dict)
    active: str | None = None          # file name the kiosk should use, when set
    glyph_font: str | None = None      # overrides the manifest's glyph font


@contextlib.contextmanager
def folder_lock(dir: str | Path | None = None):
    """One changing command at a time per weights folder (two imports would share temp names
    and overwrite each other's state.json records). Fails at once rather than waiting."""
    import fcntl

    folder = weights_dir(dir)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WeightsError(f"another `python -m weights` command is changing {folder}; wait "
                               "for it to finish", f"另一个权重命令正在修改 {folder}，请稍候") from None
        try:
            yield folder
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def now_text() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def load_state(dir: str | Path | None = None) -> State:
    path = weights_dir(dir) / STATE_FILE
    try:
        return State.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        return State()
    except (OSError, ValidationError, ValueError) as e:
        raise WeightsError(f"{path}: cannot read the weights record ({str(e).splitlines()[0]}); "
                           f"delete it and run `python -m weights verify`",
                           f"无法读取权重记录 {path}；请删除后运行 python -m weights verify") from None


def save_state(state: State, dir: str | Path | None = None) -> Path:
    folder = weights_dir(dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / STATE_FILE
    data = json.dumps(state.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
    return write_atomic(path, data.encode("utf-8"), fsync=True)


def record_file(path: Path, *, kind: Kind, sha256: str | None, keys: int, size_class: str,
                source: str | None = None, detail: dict | None = None, activate: bool = False,
                dir: str | Path | None = None) -> FileRecord:
    """Add (or replace) the record of a verified file in its folder's state.json."""
    st = path.stat()
    rec = FileRecord(file=path.name, size=st.st_size, sha256=sha256, mtime_ns=st.st_mtime_ns,
                     kind=kind, keys=keys, size_class=size_class, source=source,
                     detail=detail or {}, verified_at=now_text())
    folder = weights_dir(dir) if dir is not None else path.parent
    state = load_state(folder)
    state.files[rec.file] = rec
    if activate:
        state.active = rec.file
    save_state(state, folder)
    return rec
