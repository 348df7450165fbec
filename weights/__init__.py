"""AnyText model weights: manifest, safe loading, and which files the kiosk uses.

Public names (the model code and the kiosk import these):
    read_state_dict(path)   safe load of .ckpt (weights_only) or .safetensors -> dict of tensors
    check_state_dict(sd, path)
    resolve(dir=None)       -> Resolved(checkpoint, kind, record, tokenizer, glyph_font) | None
    status(dir=None)        -> Status(backend 'anytext'|'procedural', reason, files, ...)
    weights_dir(dir=None)   the folder: argument, $KIOSK_WEIGHTS, or weights/
    WeightsError
Importing this package does not import torch.
"""
from weights.errors import WeightsError
from weights.manifest import Manifest, WeightEntry, load_manifest
from weights.state import weights_dir
from weights.store import (Resolved, Status, check_state_dict, read_state_dict, resolve, status,
                           verify_file)

__all__ = ["Manifest", "Resolved", "Status", "WeightEntry", "WeightsError", "check_state_dict",
           "load_manifest", "read_state_dict", "resolve", "status", "verify_file", "weights_dir"]
