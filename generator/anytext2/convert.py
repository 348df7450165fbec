"""Official AnyText2 checkpoint layout <-> our modules.

The renaming is v1's (generator.anytext.convert: diffusers' single-file helpers run over KeyRef
placeholders; AttnX keys pass through them unchanged into the same blocks), plus AnyText2's own
names: `fuse_block_za`, the 7-conv glyph block, and the embedding manager's position encoder, font
OCR (`font_predictor`), `style_proj` and `color_proj`. The version of a checkpoint is read from its
keys (`detect_version`).
"""
from __future__ import annotations

import math

import torch

from generator.anytext import convert as v1
from generator.anytext.convert import CLIP, CONTROL, UNET, KeyRef, KeyReport
from generator.anytext2.config import AnyText2Config

EMB = "embedding_manager."
EMB_PARTS = {"proj.": "proj.", "position_encoder.": "position_encoder.", "font_predictor.": "font_recognizer.",
             "style_proj.": "style_proj.", "color_proj.": "color_proj."}
V2_MARKERS = ("control_model.fuse_block_za.", ".attn1x.", "embedding_manager.font_predictor.")


def detect_version(keys) -> int:
    """2 when the keys carry any AnyText2 part (fuse_block_za, AttnX, the font OCR), else 1."""
    return 2 if any(m in k for k in keys for m in V2_MARKERS) else 1


def key_mapping(official: dict, config: AnyText2Config) -> dict[str, KeyRef]:
    """our key -> KeyRef(official name, shape, squeeze) for every official AnyText2 key we use."""
    base = v1.key_mapping({k: v for k, v in official.items() if not k.startswith(EMB)}, config)
    out: dict[str, KeyRef] = {}
    for k, ref in base.items():
        if k.startswith("controlnet."):
            k = "writenet." + k[len("controlnet."):]
        out[k] = ref
    for k, v in official.items():
        if k.startswith(CONTROL + "fuse_block_za."):
            out["writenet.controlnet_cond_embedding." + k[len(CONTROL):]] = KeyRef(k, tuple(v.shape))
        elif k.startswith(EMB):
            rest = k[len(EMB):]
            for theirs, ours in EMB_PARTS.items():
                if rest.startswith(theirs):
                    out["text_embedder." + ours + rest[len(theirs):]] = KeyRef(k, tuple(v.shape))
    return out


def _report(official_shapes: dict, config: AnyText2Config):
    from generator.anytext2.model import our_state_shapes

    return v1._check(official_shapes, config, key_mapping, our_state_shapes(config))


def _infer_config(state_dict) -> AnyText2Config:
    try:
        return AnyText2Config.from_state_dict(state_dict)
    except (KeyError, ValueError, IndexError) as e:
        raise ValueError(f"not an AnyText2 checkpoint (cannot find {e})") from None


def check_keys(rows, config: AnyText2Config | None = None) -> KeyReport:
    """Map every (key, shape, dtype) row of an official AnyText2 key list onto our model built on
    the meta device and report what maps, what is missing or unexpected."""
    shapes = {k: tuple(s) for k, s, *_ in rows}
    if config is None:
        config = _infer_config({k: torch.empty(s, device="meta") for k, s in shapes.items()})
    return _report(shapes, config)[0]


def _problems(rep: KeyReport) -> str:
    def few(xs):
        return ", ".join(map(str, xs[:3])) + (" ..." if len(xs) > 3 else "")
    out = []
    if rep.missing:
        out.append(f"{len(rep.missing)} missing ({few(rep.missing)})")
    if rep.unexpected:
        out.append(f"{len(rep.unexpected)} unexpected ({few(rep.unexpected)})")
    if rep.shape_mismatches:
        out.append(f"{len(rep.shape_mismatches)} with wrong shapes ({few(rep.shape_mismatches)})")
    return "; ".join(out)


def check_state_dict(state_dict: dict, config: AnyText2Config | None = None) -> KeyReport:
    rep = _report({k: tuple(v.shape) for k, v in state_dict.items()}, config or _infer_config(state_dict))[0]
    if not rep.ok:
        raise ValueError("checkpoint does not match the AnyText2 layout: " + _problems(rep))
    return rep


def load_official(state_dict: dict, config: AnyText2Config | None = None, device="cpu",
                  dtype: torch.dtype = torch.float32):
    """Our AnyText2Model from an official-layout state dict, strictly (schedule buffers and
    position_ids excepted). Raises ValueError naming the first problems otherwise."""
    from generator.anytext2.model import AnyText2Model

    config = config or _infer_config(state_dict)
    rep, mapping = _report({k: tuple(v.shape) for k, v in state_dict.items()}, config)
    if not rep.ok:
        raise ValueError("checkpoint does not match the AnyText2 layout: " + _problems(rep))
    ours = {k: (state_dict[r.name].reshape(r.shape) if r.squeeze else state_dict[r.name])
            for k, r in mapping.items()}
    model = AnyText2Model.empty(config, "meta")
    model.load_state_dict(ours, strict=True, assign=True)
    emb = model.text_model.text_model.embeddings if hasattr(model.text_model, "text_model") \
        else model.text_model.embeddings
    emb.register_buffer("position_ids", torch.arange(config.clip_positions)[None], persistent=False)
    return model.to(device=device, dtype=dtype).eval().requires_grad_(False)


# ---- the inverse direction: a tiny checkpoint in the official layout ---------------------------

def official_key_names(config: AnyText2Config) -> list[str]:
    """Every official key name of an AnyText2 checkpoint with this config."""
    from generator.anytext.modules import build_recognizer

    names = [n for n in v1.official_key_names(config)
             if not n.startswith((CONTROL + "glyph_block.", CONTROL + "fuse_block.", EMB))]

    def wb(p):
        names.extend([p + "weight", p + "bias"])

    for k in range(0, 13, 2):
        wb(CONTROL + f"glyph_block.{k}.")
    wb(CONTROL + "fuse_block_za.")
    blocks = ["middle_block.1."] if config.attnx_mid else []
    n, per = len(config.channel_mult), config.num_res_blocks + 1
    for lvl in config.attnx_output_levels:
        up = n - 1 - lvl
        blocks += [f"output_blocks.{up * per + j}.1." for j in range(per)]
    for b in blocks:
        for a in ("attn1x.", "attn2x."):
            p = UNET + b + "transformer_blocks.0." + a
            names.extend(p + f"to_{x}.weight" for x in "qkv")
            wb(p + "to_out.0.")
    wb(EMB + "proj.0."); wb(EMB + "proj.1.")
    wb(EMB + "position_encoder.conv1.")
    for k in range(4):
        wb(EMB + f"position_encoder.conv_list.{k}.")
    wb(EMB + "position_encoder.conv2.")
    with torch.device("meta"):
        names.extend(EMB + "font_predictor." + k for k in build_recognizer(config.ocr_classes).state_dict())
    for p in ("style_proj.", "color_proj."):
        wb(EMB + p + "0."); wb(EMB + p + "1.")
    return names


def make_tiny_state_dict(seed: int = 0, config: AnyText2Config | None = None) -> dict[str, torch.Tensor]:
    """A random AnyText2 checkpoint in the OFFICIAL key layout at the tiny parity size, which
    load_official accepts. Deterministic for a seed."""
    from generator.anytext2.model import our_state_shapes

    config = config or AnyText2Config.tiny()
    names = official_key_names(config)
    ours = our_state_shapes(config)

    class _S:
        def __init__(self, s): self.shape = s
    mapping = key_mapping({k: _S((1, 1, 1, 1) if "mid.attn_1." in k and k.endswith("weight")
                                 and k.split(".")[-2] != "norm" else (1,)) for k in names}, config)
    official_shape = {r.name: ours[k] + (1,) * r.squeeze for k, r in mapping.items()}
    missing = [k for k in names if k not in official_shape]
    if missing:
        raise RuntimeError(f"tiny layout incomplete: {missing[:3]}")
    g = torch.Generator().manual_seed(seed)
    sd: dict[str, torch.Tensor] = dict(v1.schedule_buffers(config))
    for k in names:
        shape = official_shape[k]
        leaf = k.rsplit(".", 1)[-1]
        if leaf == "num_batches_tracked":
            t = torch.zeros(shape, dtype=torch.long)
        elif leaf == "running_var":
            t = 0.5 + torch.rand(shape, generator=g)
        elif leaf in ("running_mean", "bias"):
            t = 0.05 * torch.randn(shape, generator=g)
        elif len(shape) == 1:
            t = 1.0 + 0.1 * torch.randn(shape, generator=g)
        else:
            t = torch.randn(shape, generator=g) / math.sqrt(math.prod(shape[1:]))
        sd[k] = t
    sd[CLIP + "embeddings.position_ids"] = torch.arange(config.clip_positions)[None]
    return sd


__all__ = [
    "check_keys",
    "check_state_dict",
    "detect_version",
    "key_mapping",
    "load_official",
    "make_tiny_state_dict",
    "official_key_names",
]
