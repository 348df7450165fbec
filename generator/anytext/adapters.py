"""Motif adapters on a loaded AnyText model: peft LoRA layers and textual-inversion words.

A motif adapter file (safetensors, written by `python -m weights train-motif`) is either
- a LoRA: peft's state dict of the UNet under `unet.` (and of the CLIP text encoder under
  `text_encoder.` when it was trained too), its rank and targets in the metadata; or
- a textual-inversion embedding: `token_embedding` (n, D), the token ids in the metadata.

MotifAdapters loads each adapter once into the model (peft adapters side by side, named by the
motif id) and makes one active at a time: switching motifs switches adapters without reloading
anything. `activate(None)` turns them all off (the base model, for catalogue motifs). Only the
UNet and the text encoder get LoRA layers; the ControlNet stays the one AnyText trained.
"""
from __future__ import annotations

import json
from pathlib import Path

import torch

UNET_TARGETS = ("to_q", "to_k", "to_v", "to_out.0")
TEXT_TARGETS = ("q_proj", "k_proj", "v_proj", "out_proj")


def lora_config(rank: int, alpha: float | None = None, targets=UNET_TARGETS, init: bool = True):
    from peft import LoraConfig

    return LoraConfig(r=rank, lora_alpha=alpha or rank, target_modules=list(targets),
                      init_lora_weights="gaussian" if init else True)


def add_lora(model, name: str, rank: int, alpha: float | None = None,
             text_encoder: bool = False) -> None:
    """New LoRA layers named `name` on the UNet (and the text encoder); B starts at zero, so the
    model is unchanged until trained."""
    import warnings

    from peft import inject_adapter_in_model

    with warnings.catch_warnings():   # several adapters side by side is the point here
        warnings.filterwarnings("ignore", message="Already found a `peft_config`")
        inject_adapter_in_model(lora_config(rank, alpha, UNET_TARGETS), model.unet, adapter_name=name)
        if text_encoder:
            inject_adapter_in_model(lora_config(rank, alpha, TEXT_TARGETS), model.text_model,
                                    adapter_name=name)


def lora_parameters(model, name: str) -> list[torch.nn.Parameter]:
    return [p for n, p in list(model.unet.named_parameters()) + list(model.text_model.named_parameters())
            if ".lora_" in n and f".{name}." in n + "."]


def lora_state_dict(model, name: str, text_encoder: bool = False) -> dict[str, torch.Tensor]:
    """The LoRA weights of adapter `name`, keys `unet.*` / `text_encoder.*` (peft naming)."""
    from peft import get_peft_model_state_dict

    out = {f"unet.{k}": v for k, v in get_peft_model_state_dict(model.unet, adapter_name=name).items()}
    if text_encoder:
        out.update({f"text_encoder.{k}": v for k, v in
                    get_peft_model_state_dict(model.text_model, adapter_name=name).items()})
    return {k: v.detach().float().cpu().contiguous() for k, v in out.items()}


def _tuner_layers(model):
    from peft.tuners.tuners_utils import BaseTunerLayer

    for module in (model.unet, model.text_model):
        for m in module.modules():
            if isinstance(m, BaseTunerLayer):
                yield m


class TokenVectors:
    """Textual inversion at run time: the rows of the given token ids in the CLIP input
    embedding replaced by learned vectors, the original rows kept to put back."""

    def __init__(self, embedding: torch.nn.Embedding):
        self.embedding = embedding
        self.original: dict[int, torch.Tensor] = {}

    @torch.no_grad()
    def put(self, ids: list[int], vectors: torch.Tensor) -> None:
        self.restore()
        w = self.embedding.weight
        for i, v in zip(ids, vectors):
            self.original[i] = w[i].clone()
            w[i] = v.to(w.dtype)

    @torch.no_grad()
    def restore(self) -> None:
        w = self.embedding.weight
        for i, v in self.original.items():
            w[i] = v
        self.original.clear()


class MotifAdapters:
    """The adapters loaded into one model, by name; one active at a time."""

    def __init__(self, model):
        self.model = model
        self.loaded: dict[str, dict] = {}   # name -> {"method", "ids", "vectors"}
        self.active: str | None = None
        self.tokens = TokenVectors(model.text_model.get_input_embeddings())

    def load(self, name: str, path: str | Path) -> dict:
        """Read an adapter file into the model once (not activated); returns its metadata."""
        if name in self.loaded:
            return self.loaded[name]["meta"]
        tensors, meta = read_adapter(path)
        device = next(self.model.unet.parameters()).device
        dtype = next(self.model.unet.parameters()).dtype
        if meta.get("method") == "ti":
            ids = json.loads(meta["token_ids"])
            vec = tensors["token_embedding"]
            width = self.model.text_model.get_input_embeddings().weight.shape[1]
            if vec.shape != (len(ids), width):
                raise ValueError(f"embedding shape {tuple(vec.shape)} does not fit this text encoder "
                                 f"({len(ids)} x {width})")
            entry = {"method": "ti", "ids": ids, "vectors": vec, "meta": meta}
        else:
            from peft import set_peft_model_state_dict

            rank = int(meta["rank"])
            alpha = float(meta.get("alpha", rank))
            te = meta.get("text_encoder") == "1"
            add_lora(self.model, name, rank, alpha, te)
            for prefix, module in (("unet.", self.model.unet), ("text_encoder.", self.model.text_model)):
                sub = {k[len(prefix):]: v.to(device, dtype) for k, v in tensors.items() if k.startswith(prefix)}
                if not sub:
                    continue
                res = set_peft_model_state_dict(module, sub, adapter_name=name)
                bad = [k for k in getattr(res, "unexpected_keys", []) if "lora_" in k]
                if bad:
                    raise ValueError(f"{len(bad)} LoRA weights fit no layer of this model (first: {bad[0]})")
            entry = {"method": "lora", "meta": meta}
        self.loaded[name] = entry
        if self.active is None:   # injecting layers may leave the new adapter switched on
            self.activate(None)
        else:
            self.activate(self.active)
        return meta

    def activate(self, name: str | None) -> None:
        """Make adapter `name` the only active one (None: the base model)."""
        if name is not None and name not in self.loaded:
            raise KeyError(name)
        if not self.loaded:       # nothing loaded: the base model already
            return
        entry = self.loaded.get(name) if name else None
        lora = entry is not None and entry["method"] == "lora"
        for layer in _tuner_layers(self.model):
            if lora:
                layer.enable_adapters(True)
                layer.set_adapter(name)
            else:
                layer.enable_adapters(False)
        if entry is not None and entry["method"] == "ti":
            self.tokens.put(entry["ids"], entry["vectors"])
        else:
            self.tokens.restore()
        if lora:   # peft switches requires_grad on for the active adapter; this is inference
            for p in lora_parameters(self.model, name):
                p.requires_grad_(False)
        self.active = name


def read_adapter(path: str | Path) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    from safetensors import safe_open

    tensors = {}
    with safe_open(str(path), framework="pt", device="cpu") as f:
        meta = dict(f.metadata() or {})
        for k in f.keys():
            tensors[k] = f.get_tensor(k)
    return tensors, meta
