"""Merging a kohya-format LoRA into AnyText weights (official LDM key names).

kohya names a layer by its diffusers module path with dots turned into underscores:
`lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_q`,
`lora_te_text_model_encoder_layers_0_self_attn_q_proj`. Underscores cannot be turned back into
dots unambiguously, so we go the other way: derive the kohya name of every layer the checkpoint
has, then look each LoRA module up. Merge: W += ratio * (up @ down) * alpha / rank.
"""
from __future__ import annotations

from pathlib import Path

from weights.errors import WeightsError

UNET = "model.diffusion_model."
TEXT = "cond_stage_model.transformer."

_RESNET = [("in_layers.0.", "norm1."), ("in_layers.2.", "conv1."), ("out_layers.0.", "norm2."),
           ("out_layers.3.", "conv2."), ("emb_layers.1.", "time_emb_proj."),
           ("skip_connection.", "conv_shortcut.")]
_TOP = [("time_embed.0.", "time_embedding.linear_1."), ("time_embed.2.", "time_embedding.linear_2."),
        ("input_blocks.0.0.", "conv_in."), ("out.0.", "conv_norm_out."), ("out.2.", "conv_out.")]


def _block_map() -> list[tuple[str, str, bool]]:
    """(LDM prefix, diffusers prefix, is_resnet) for the SD 1.x UNet (4 levels, 2 layers each)."""
    rows = []
    for i in range(4):
        for j in range(2):
            rows.append((f"input_blocks.{3 * i + j + 1}.0.", f"down_blocks.{i}.resnets.{j}.", True))
            if i < 3:
                rows.append((f"input_blocks.{3 * i + j + 1}.1.", f"down_blocks.{i}.attentions.{j}.", False))
        for j in range(3):
            rows.append((f"output_blocks.{3 * i + j}.0.", f"up_blocks.{i}.resnets.{j}.", True))
            if i > 0:
                rows.append((f"output_blocks.{3 * i + j}.1.", f"up_blocks.{i}.attentions.{j}.", False))
        if i < 3:
            rows.append((f"input_blocks.{3 * (i + 1)}.0.op.", f"down_blocks.{i}.downsamplers.0.conv.", False))
            rows.append((f"output_blocks.{3 * i + 2}.{1 if i == 0 else 2}.", f"up_blocks.{i}.upsamplers.0.", False))
    rows.append(("middle_block.1.", "mid_block.attentions.0.", False))
    for j in range(2):
        rows.append((f"middle_block.{2 * j}.", f"mid_block.resnets.{j}.", True))
    return rows


_BLOCKS = _block_map()


def unet_ldm_to_diffusers(name: str) -> str | None:
    """'input_blocks.1.0.in_layers.2.weight' -> 'down_blocks.0.resnets.0.conv1.weight'."""
    for ldm, dif in _TOP:
        if name.startswith(ldm):
            return dif + name[len(ldm):]
    for ldm, dif, is_resnet in _BLOCKS:
        if name.startswith(ldm):
            rest = name[len(ldm):]
            if is_resnet:
                for a, b in _RESNET:
                    if rest.startswith(a):
                        rest = b + rest[len(a):]
                        break
            return dif + rest
    return None


def kohya_names(keys) -> dict[str, str]:
    """kohya module name -> checkpoint weight key, for every weight of the UNet and text encoder.
    LDM-style names (`lora_unet_input_blocks_1_1_proj_in`) are accepted too."""
    out = {}
    for key in keys:
        if not key.endswith(".weight"):
            continue
        if key.startswith(UNET):
            ldm = key[len(UNET):-len(".weight")]
            out["lora_unet_" + ldm.replace(".", "_")] = key
            dif = unet_ldm_to_diffusers(ldm + ".weight")
            if dif:
                out["lora_unet_" + dif[:-len(".weight")].replace(".", "_")] = key
        elif key.startswith(TEXT):
            mod = key[len(TEXT):-len(".weight")]
            if not mod.startswith("text_model."):
                mod = "text_model." + mod
            out["lora_te_" + mod.replace(".", "_")] = key
    return out


def lora_delta(down, up, alpha, shape):
    """(up @ down) * alpha / rank in float32, shaped like the target weight."""
    import torch

    rank = down.shape[0]
    scale = (float(alpha) if alpha is not None else rank) / rank
    down, up = down.float(), up.float()
    if down.dim() == 4 and down.shape[2:] != (1, 1):
        # conv 3x3: down is a (rank, in, k, k) conv, up a 1x1 conv mixing the rank channels
        delta = torch.einsum("or,rikl->oikl", up.flatten(1), down)
    else:
        delta = up.flatten(1) @ down.flatten(1)
    if delta.numel() != torch.Size(shape).numel():
        return None
    return delta.reshape(shape) * scale


def merge_lora(sd: dict, lora: dict, ratio: float = 1.0, name: str = "LoRA") -> tuple[dict, int]:
    """A copy of sd with the LoRA merged in; returns (new sd, layers changed). Raises on a LoRA
    layer that matches nothing or does not fit, naming it."""

    downs = sorted(k[:-len(".lora_down.weight")] for k in lora if k.endswith(".lora_down.weight"))
    if not downs:
        kinds = sorted({k.split(".")[-2] for k in lora if "." in k})[:4]
        raise WeightsError(f"{name}: not a kohya LoRA (no *.lora_down.weight keys; found "
                           f"{', '.join(kinds) or 'nothing'}). Only kohya-format LoRA is supported",
                           f"{name} 不是 kohya 格式的 LoRA")
    odd = [k for k in lora if not k.endswith((".lora_down.weight", ".lora_up.weight", ".alpha"))]
    if odd:   # LoCon/LoHa/DoRA extras (lora_mid, hada_*, dora_scale) would be silently dropped
        raise WeightsError(f"{name}: unsupported LoRA variant (key {odd[0]}); only plain kohya "
                           "LoRA (lora_down, lora_up, alpha) can be merged",
                           f"{name}：不支持的 LoRA 变体，只能合并标准 kohya LoRA")
    names = kohya_names(sd)
    unknown = [d for d in downs if d not in names]
    if unknown:
        raise WeightsError(f"{name}: {len(unknown)} LoRA layers match no layer of these weights "
                           f"(first: {unknown[0]}); is it an SD 1.5 LoRA?",
                           f"{name}：有 {len(unknown)} 个 LoRA 层与模型不匹配（是否为 SD 1.5 LoRA？）")
    out = dict(sd)
    for d in downs:
        up = lora.get(d + ".lora_up.weight")
        if up is None:
            raise WeightsError(f"{name}: {d} has lora_down but no lora_up",
                               f"{name}：{d} 缺少 lora_up")
        alpha = lora.get(d + ".alpha")
        key = names[d]
        w = sd[key]
        delta = lora_delta(lora[d + ".lora_down.weight"], up,
                           None if alpha is None else alpha.float().item(), w.shape)
        if delta is None:
            raise WeightsError(f"{name}: {d} does not fit {key} (shape {tuple(w.shape)})",
                               f"{name}：{d} 与 {key} 形状不符")
        out[key] = (w.float() + ratio * delta).to(w.dtype)
    return out, len(downs)


def parse_lora_arg(text: str) -> tuple[Path, float]:
    """'FILE' or 'FILE:ratio'."""
    path, ratio = text, 1.0
    if ":" in text:
        head, tail = text.rsplit(":", 1)
        try:
            path, ratio = head, float(tail)
        except ValueError:
            path = text
    return Path(path), ratio
