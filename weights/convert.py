"""`python -m weights convert`: the official checkpoint -> fp16 safetensors.

Same key names as the official file, so one loader reads both. fp16 halves the size and
safetensors maps straight into memory with no unpickling. The 13 DDPM schedule buffers and
CLIP's position_ids are dropped (the scheduler computes the schedule; recent transformers do not
expect position_ids). A tensor whose values do not fit fp16 stays fp32, and is recorded.
"""
from __future__ import annotations

import os
from pathlib import Path

from weights.errors import WeightsError
from weights.manifest import Manifest, load_manifest
from weights.state import load_state, record_file, weights_dir
from weights.store import ModelCheck, check_state_dict, read_state_dict, sha256_file

FP16_MAX = 65504.0


def to_fp16(sd: dict, drop=()) -> tuple[dict, list[str], list[str]]:
    """(new state dict, dropped keys, keys kept in fp32 because they overflow fp16)."""
    import torch

    drop = set(drop)
    out, dropped, kept32 = {}, [], []
    for k, v in sd.items():
        if k in drop:
            dropped.append(k)
            continue
        if v.is_floating_point() and v.dtype != torch.float16:
            if v.numel() and v.abs().max().item() > FP16_MAX:
                kept32.append(k)
                out[k] = v.contiguous()
                continue
            v = v.to(torch.float16)
        out[k] = v.contiguous()
    return out, dropped, kept32


def save_safetensors(sd: dict, path: Path, metadata: dict[str, str]) -> None:
    """Write atomically: temp name in the same folder, then os.replace."""
    from safetensors.torch import save_file

    from weights.importing import temp_name

    tmp = temp_name(path)
    try:
        save_file(sd, str(tmp), metadata=metadata)
        os.chmod(tmp, 0o644)   # the kiosk may run as another user
        os.replace(tmp, path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise WeightsError(f"cannot write {path}: {e.strerror or e}; nothing was written",
                           f"无法写入 {path}：{e.strerror or e}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def convert(dir: str | Path | None = None, src: str | Path | None = None,
            out: str | Path | None = None, manifest: Manifest | None = None, *,
            model_check: ModelCheck | None = None) -> dict:
    """Convert the official checkpoint (or `src`) in the folder; record and return the result."""
    m = manifest or load_manifest()
    folder = weights_dir(dir)
    if src is None:   # the official file of the version in use (AnyText2 wins), else v1's
        present = [s.checkpoint.file for s in m.specs if (folder / s.checkpoint.file).exists()]
        src = folder / (present[0] if present else m.checkpoint.file)
    src = Path(src)
    if out is None:  # the official file gets the manifest's name; others keep their own stem
        named = {s.checkpoint.file: s.converted.file for s in m.specs}
        out = (folder / named[src.name] if src.name in named
               else src.with_name(f"{src.stem}.fp16.safetensors"))
    out = Path(out)
    if not src.exists():
        raise WeightsError(f"nothing to convert: {src} not found (import it first with "
                           f"`python -m weights import PATH`)", f"找不到 {src}，请先导入")
    sd = read_state_dict(src)
    check = check_state_dict(sd, src, m, model_check=model_check)
    half, dropped, kept32 = to_fp16(sd, m.spec(check.version).ignored_keys)
    del sd
    state = load_state(src.parent)
    was_active = state.active == src.name
    rec = state.files.get(src.name)
    src_sha = rec.sha256 if rec and rec.matches(src) and rec.sha256 else sha256_file(src)
    meta = {"format": "pt", "source": src.name, "source_sha256": src_sha,
            "dropped": ",".join(dropped), "kept_fp32": ",".join(kept32)}
    save_safetensors(half, out, meta)
    del half
    kind = "converted" if check.size_class == "full" else "tiny"
    rec = record_file(out, kind=kind, sha256=sha256_file(out), keys=check.keys - len(dropped),
                      size_class=check.size_class, source=src.name,
                      detail={"source_sha256": src_sha, "dropped": dropped, "kept_fp32": kept32,
                              "version": check.version},
                      activate=was_active, dir=out.parent)
    return rec.model_dump()
