"""`python -m weights swap-base`: a community or DreamBooth-tuned SD 1.5 under AnyText.

Every tensor under model.diffusion_model.* and cond_stage_model.transformer.text_model.* is
replaced by the same-named tensor of the SD 1.5 checkpoint (LDM layout); the ControlNet, the
text embedding module, the recognizer and the VAE stay. Optional kohya LoRAs are merged after.
The result is a new safetensors file beside the others, recorded and made active.
"""
from __future__ import annotations

import re
from pathlib import Path

from weights.convert import save_safetensors
from weights.errors import WeightsError
from weights.lora import merge_lora
from weights.manifest import load_manifest
from weights.state import record_file, weights_dir
from weights.store import ModelCheck, check_state_dict, read_state_dict, resolve, sha256_file

UNET = "model.diffusion_model."
TEXT = "cond_stage_model.transformer.text_model."
OLD_TEXT = "cond_stage_model.transformer."   # pre-4.31 transformers layout: no text_model.
SWAPPED_PREFIXES = (UNET, TEXT)


def _base_key(key: str, base: dict) -> str | None:
    if key in base:
        return key
    if key.startswith(TEXT):
        alt = OLD_TEXT + key[len(TEXT):]
        if alt in base:
            return alt
    return None


def swap_base(sd: dict, base: dict, name: str = "base model",
              ignored=(), own=()) -> tuple[dict, list[str]]:
    """A copy of sd with the UNet and text encoder taken from base; returns (new sd, keys).
    Keys containing one of `own` (AnyText2's AttnX layers) are the model's own: an SD 1.5 base
    has none, so they stay."""
    if not any(k.startswith(UNET) for k in base):
        hint = (" (it looks like a diffusers folder layout; use the single-file .safetensors)"
                if any(k.startswith(("down_blocks.", "conv_in.")) for k in base) else "")
        raise WeightsError(f"{name}: no model.diffusion_model.* keys; not an SD 1.5 checkpoint in "
                           f"LDM layout{hint}", f"{name} 不是 LDM 格式的 SD 1.5 检查点")
    ignored = set(ignored)
    out, replaced, missing = dict(sd), [], []
    for key, old in sd.items():
        if not key.startswith(SWAPPED_PREFIXES) or key in ignored or any(o in key for o in own):
            continue
        bk = _base_key(key, base)
        if bk is None:
            missing.append(key)
            continue
        new = base[bk]
        if tuple(new.shape) != tuple(old.shape):
            raise WeightsError(f"{name}: {bk} has shape {tuple(new.shape)}, AnyText needs "
                               f"{tuple(old.shape)}; is it an SD 1.5 model (not SD 2 or SDXL)?",
                               f"{name}：{bk} 的形状与 AnyText 不符（是否为 SD 1.5 模型？）")
        out[key] = new.to(old.dtype).contiguous()
        replaced.append(key)
    if missing:
        raise WeightsError(f"{name}: lacks {len(missing)} tensors AnyText needs (first: "
                           f"{missing[0]}); is it a full SD 1.5 checkpoint?",
                           f"{name} 缺少 {len(missing)} 个所需张量")
    return out, replaced


def _slug(path: Path) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", path.stem.removesuffix(".fp16"))[:40]


def swap_and_merge(base_path: str | Path | None, loras: list[tuple[Path, float]],
                   dir: str | Path | None = None, out_name: str | None = None,
                   activate: bool = True, *, model_check: ModelCheck | None = None) -> dict:
    """Apply swap-base and/or LoRAs to the weights the kiosk uses now; write, record, activate."""
    if base_path is None and not loras:
        raise WeightsError("swap-base needs a MODEL and/or --lora FILE[:ratio]",
                           "请指定基础模型或 --lora")
    m = load_manifest()
    folder = weights_dir(dir)
    current = resolve(folder)
    if current is None:
        raise WeightsError(f"no verified AnyText weights in {folder}; import them first",
                           f"{folder} 中没有已验证的 AnyText 权重，请先导入")
    sd = read_state_dict(current.checkpoint)
    spec = m.spec(m.detect_version(sd))
    sd = {k: v for k, v in sd.items() if k not in set(spec.ignored_keys)}
    detail: dict = {"from": current.checkpoint.name}
    tags = []
    if base_path is not None:
        base_path = Path(base_path)
        base = read_state_dict(base_path)
        sd, replaced = swap_base(sd, base, base_path.name, spec.ignored_keys, spec.own_unet_keys)
        del base
        detail.update(base=base_path.name, base_sha256=sha256_file(base_path),
                      replaced=len(replaced))
        tags.append(_slug(base_path))
    merged = []
    for path, ratio in loras:
        lora = read_state_dict(path)
        sd, n = merge_lora(sd, lora, ratio, path.name)
        merged.append({"file": path.name, "ratio": ratio, "layers": n,
                       "sha256": sha256_file(path)})
        tags.append(f"lora-{_slug(path)}" + (f"x{ratio:g}" if ratio != 1 else ""))
    detail["loras"] = merged
    check = check_state_dict(sd, current.checkpoint, m, model_check=model_check)
    detail["version"] = check.version
    out = folder / (out_name or f"{spec.model}+{'+'.join(tags)}.safetensors")
    if out.suffix != ".safetensors":
        raise WeightsError(f"output {out.name} must end in .safetensors", "输出文件须为 .safetensors")
    if out.resolve() == current.checkpoint.resolve():
        raise WeightsError(f"output {out.name} would overwrite the weights in use",
                           "输出文件会覆盖正在使用的权重")
    save_safetensors(sd, out, {"format": "pt", "from": current.checkpoint.name,
                               "base": detail.get("base", ""),
                               "loras": ",".join(f"{d['file']}:{d['ratio']}" for d in merged)})
    rec = record_file(out, kind="swapped", sha256=sha256_file(out), keys=len(sd),
                      size_class=check.size_class, source=detail.get("base") or current.checkpoint.name,
                      detail=detail, activate=activate, dir=folder)
    return rec.model_dump()
