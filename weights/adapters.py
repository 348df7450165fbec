"""Trained motif adapters in the weights folder: adapters/<id>.safetensors + adapters.json.

`python -m weights train-motif` writes one safetensors file per motif (a peft LoRA of the UNet,
optionally of the text encoder, or a textual-inversion embedding) and records it here with its
sha256, the sha256 of the base weights it was trained on, the method, steps, token, photo count
and sample images. The AnyText backend refuses an adapter whose base is not the weights it runs.
Staff enable a trained motif for the gallery (`enabled`) after looking at its samples.
No torch here: the kiosk reads this at start-up.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from base.atomic import write_atomic
from weights.errors import WeightsError
from weights.state import now_text, weights_dir

ADAPTERS_FILE = "adapters.json"
ADAPTERS_DIR = "adapters"


class AdapterRecord(BaseModel):
    """One trained motif adapter (and the motif it teaches)."""
    model_config = ConfigDict(extra="ignore")
    id: str
    name_zh: str
    name_en: str
    file: str                              # relative to the weights folder
    sha256: str
    base_file: str
    base_sha256: str | None
    method: Literal["lora", "ti"]
    token: str                             # the rare word that names the motif in prompts
    noun: str = "bronze"                   # the class word after the token
    steps: int
    rank: int | None = None
    photos: int
    text_encoder: bool = False
    samples: list[str] = Field(default_factory=list)   # relative to the weights folder
    photo: str | None = None               # a training photo kept for the gallery tile
    enabled: bool = False                  # staff switched it on for the gallery
    enabled_by: str | None = None
    trained_at: str = ""

    @property
    def prompt_prefix(self) -> str:
        return f"a photo of {self.token} {self.noun}"


class Adapters(BaseModel):
    model_config = ConfigDict(extra="ignore")
    version: int = 1
    adapters: dict[str, AdapterRecord] = Field(default_factory=dict)


def load_adapters(dir: str | Path | None = None) -> Adapters:
    path = weights_dir(dir) / ADAPTERS_FILE
    try:
        return Adapters.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        return Adapters()
    except (OSError, ValidationError, ValueError) as e:
        raise WeightsError(f"{path}: cannot read the adapter record ({str(e).splitlines()[0]})",
                           f"无法读取适配器记录 {path}") from None


def save_adapters(adapters: Adapters, dir: str | Path | None = None) -> Path:
    folder = weights_dir(dir)
    folder.mkdir(parents=True, exist_ok=True)
    data = json.dumps(adapters.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
    return write_atomic(folder / ADAPTERS_FILE, data.encode("utf-8"), fsync=True)


def record_adapter(rec: AdapterRecord, dir: str | Path | None = None) -> AdapterRecord:
    """Add or replace a record; a retrained motif starts disabled again (new samples to judge)."""
    rec = rec.model_copy(update={"trained_at": rec.trained_at or now_text(), "enabled": False,
                                 "enabled_by": None})
    ad = load_adapters(dir)
    ad.adapters[rec.id] = rec
    save_adapters(ad, dir)
    return rec


def get_adapter(adapter_id: str, dir: str | Path | None = None) -> AdapterRecord:
    rec = load_adapters(dir).adapters.get(adapter_id)
    if rec is None:
        raise WeightsError(f"no trained adapter '{adapter_id}' in {weights_dir(dir)} "
                           "(train it with `python -m weights train-motif`)",
                           f"{weights_dir(dir)} 中没有训练好的适配器“{adapter_id}”")
    return rec


def set_enabled(adapter_id: str, enabled: bool, actor: str | None = None,
                dir: str | Path | None = None) -> AdapterRecord:
    """Staff switch a trained motif on or off for the kiosk gallery."""
    ad = load_adapters(dir)
    rec = ad.adapters.get(adapter_id)
    if rec is None:
        raise WeightsError(f"no trained adapter '{adapter_id}'", f"没有适配器“{adapter_id}”")
    rec = rec.model_copy(update={"enabled": enabled, "enabled_by": actor if enabled else None})
    ad.adapters[adapter_id] = rec
    save_adapters(ad, dir)
    return rec
