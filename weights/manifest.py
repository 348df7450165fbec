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


class ModelSpec(BaseModel):
    """One AnyText version's files and key list. `probe` is a key only this version has;
    `own_unet_keys` name UNet tensors of its own that an SD 1.5 base model does not carry."""
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: int = Field(1, ge=1, le=2)
    model: str
    checkpoint: FileSpec
    converted: FileSpec
    key_list: str
    probe: str | None = None
    prefixes: dict[str, int]
    own_unet_keys: list[str] = []
    ignored_keys: list[str]

    @property
    def key_list_path(self) -> Path:
        return PACKAGE_DIR / self.key_list

    @property
    def label(self) -> str:
        return "AnyText2" if self.version == 2 else "AnyText v1"


class V2Spec(ModelSpec):
    version: int = Field(2, ge=2, le=2)
    probe: str


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
    anytext2: V2Spec

    @property
    def key_list_path(self) -> Path:
        return PACKAGE_DIR / self.key_list

    def spec(self, version: int) -> ModelSpec:
        """The files, key list and prefixes of AnyText v1 (the top level) or AnyText2."""
        if version == 2:
            return self.anytext2
        return ModelSpec(version=1, model=self.model, checkpoint=self.checkpoint,
                         converted=self.converted, key_list=self.key_list,
                         prefixes=self.prefixes, ignored_keys=self.ignored_keys)

    @property
    def specs(self) -> list[ModelSpec]:
        return [self.spec(2), self.spec(1)]

    def version_of_name(self, name: str) -> int | None:
        """The version a file must hold by its manifest name (anytext_v2.0.ckpt -> 2), or None."""
        for s in self.specs:
            if name in (s.checkpoint.file, s.converted.file):
                return s.version
        return None

    def file_spec(self, name: str) -> FileSpec | None:
        for s in self.specs:
            for f in (s.checkpoint, s.converted):
                if f.file == name:
                    return f
        return None

    def detect_version(self, keys) -> int:
        """2 when the keys carry AnyText2's probe key or a prefix only AnyText2 has, else 1."""
        v2 = self.anytext2
        only2 = tuple(p for p in v2.prefixes if p not in self.prefixes)
        return 2 if any(k == v2.probe or k.startswith(only2) for k in keys) else 1


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
