"""The weights manifest: what an installation expects, as typed values.

manifest.json (committed) is validated once at the boundary; inside the package the values are
a pydantic Manifest and WeightEntry tuples. The official sha256 is not published, so the one
seen on import is recorded per installation in state.json (see weights/state.py).
"""
from __future__ import annotations

import functools
from pathlib import Path
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from weights.errors import WeightsError

PACKAGE_DIR = Path(__file__).resolve().parent
MANIFEST_PATH = PACKAGE_DIR / "manifest.json"


class WeightEntry(NamedTuple):
    """One weights file: its name in the weights folder, size in bytes and sha256 (None = unknown)."""
    file: str
    size: int | None
    sha256: str | None


class FileSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    file: str
    size: int | None = Field(None, ge=0, description="exact size when known")
    min_size: int | None = Field(None, ge=0)
    max_size: int | None = Field(None, ge=0)
    sha256: str | None = Field(None, pattern=r"^[0-9a-f]{64}$")
    note: str = ""

    @property
    def entry(self) -> WeightEntry:
        return WeightEntry(self.file, self.size, self.sha256)

    def size_problem(self, size: int) -> str | None:
        """A reason the size is wrong, or None. Too small means truncated (the usual USB failure)."""
        if self.size is not None and size != self.size:
            return f"size {size:,} bytes, expected exactly {self.size:,}"
        if self.min_size is not None and size < self.min_size:
            return f"size {size:,} bytes, expected at least {self.min_size:,} (truncated copy?)"
        if self.max_size is not None and size > self.max_size:
            return f"size {size:,} bytes, expected at most {self.max_size:,}"
        return None


class TokenizerSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    folder: str
    files: list[str]
    note: str = ""


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: int = Field(ge=1, le=1)
    model: str
    about: str = ""
    checkpoint: FileSpec
    converted: FileSpec
    tokenizer: TokenizerSpec
    glyph_font: str
    key_list: str
    prefixes: dict[str, int]
    ignored_keys: list[str]

    @property
    def key_list_path(self) -> Path:
        return PACKAGE_DIR / self.key_list


def parse_manifest(data: dict) -> Manifest:
    try:
        return Manifest.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise WeightsError(f"weights manifest: {where}: {first['msg']}",
                           f"权重清单有误：{where}：{first['msg']}") from None


@functools.cache
def load_manifest(path: Path = MANIFEST_PATH) -> Manifest:
    import json

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise WeightsError(f"weights manifest {path}: cannot read ({e})",
                           f"无法读取权重清单 {path}（{e}）") from None
    return parse_manifest(data)
