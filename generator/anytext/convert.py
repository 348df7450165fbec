"""Official AnyText v1 checkpoint layout <-> our modules.

The key renaming reuses diffusers' single-file helpers (convert_ldm_unet_checkpoint,
convert_controlnet_checkpoint, convert_ldm_vae_checkpoint, convert_ldm_clip_checkpoint). We run
them once over `KeyRef` placeholders (name + shape) instead of tensors, which yields a plain
mapping our key -> (official key, reshape). That one mapping serves strict loading, the meta-device
key check and the inverse direction (writing a tiny checkpoint in the official layout).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import torch

from generator.anytext.config import AnyTextConfig

UNET, CONTROL, CLIP, VAE = "model.diffusion_model.", "control_model.", \
    "cond_stage_model.transformer.text_model.", "first_stage_model."
OCR, PROJ = "text_predictor.", "embedding_manager.proj."
SCHEDULE_KEYS = (
    "betas", "alphas_cumprod", "alphas_cumprod_prev", "sqrt_alphas_cumprod",
    "sqrt_one_minus_alphas_cumprod", "log_one_minus_alphas_cumprod", "sqrt_recip_alphas_cumprod",
    "sqrt_recipm1_alphas_cumprod", "posterior_variance", "posterior_log_variance_clipped",
    "posterior_mean_coef1", "posterior_mean_coef2", "logvar")
# present in official files, not needed by our modules (recomputed or unused)
IGNORED = set(SCHEDULE_KEYS) | {CLIP + "embeddings.position_ids"}


class KeyRef:
    """Stands in for a tensor while diffusers' helpers rename keys: records name and shape, and
    any slicing they apply (VAE attention 1x1 convs become linear weights)."""

    def __init__(self, name: str, shape: tuple[int, ...], squeeze: int = 0):
        self.name, self.shape, self.squeeze = name, tuple(shape), squeeze

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __getitem__(self, idx):
        # only x[:, :, 0, 0] / x[:, :, 0] are used by the helpers: drop trailing unit dims
        n = sum(1 for i in idx if isinstance(i, int))
        return KeyRef(self.name, self.shape[: len(self.shape) - n], self.squeeze + n)


@dataclass
class KeyReport:
    mapped: list[str] = field(default_factory=list)          # official keys that found a home
    missing: list[str] = field(default_factory=list)         # our tensors nobody provides
    unexpected: list[str] = field(default_factory=list)      # official keys we cannot place
    shape_mismatches: list[tuple[str, tuple, tuple]] = field(default_factory=list)  # (key, theirs, ours)
    ignored: list[str] = field(default_factory=list)         # schedule buffers, position_ids

    @property
    def ok(self) -> bool:
        return not (self.missing or self.unexpected or self.shape_mismatches)

    def summary(self) -> str:
        return (f"mapped {len(self.mapped)}, missing {len(self.missing)}, unexpected {len(self.unexpected)}, "
                f"shape mismatches {len(self.shape_mismatches)}, ignored {len(self.ignored)}")


def _sub(sd: dict, prefix: str) -> dict:
    return {k: v for k, v in sd.items() if k.startswith(prefix)}


def key_mapping(official: dict, config: AnyTextConfig) -> dict[str, KeyRef]:
    """our key -> KeyRef(official name, official shape, squeeze) for every official key we use.

    `official` maps official names to anything with `.shape` (tensors or KeyRefs).
    """
    from diffusers.loaders.single_file_utils import (
        convert_controlnet_checkpoint, convert_ldm_clip_checkpoint, convert_ldm_unet_checkpoint,
        convert_ldm_vae_checkpoint)

    refs = {k: KeyRef(k, tuple(v.shape)) for k, v in official.items()}
    out: dict[str, KeyRef] = {}

    def put(prefix: str, converted: dict):
        for k, v in converted.items():
            if v is not None:
                out[prefix + k] = v

    unet_cfg = config.unet_config()
    put("unet.", convert_ldm_unet_checkpoint(_sub(refs, UNET), unet_cfg))
    control = _sub(refs, CONTROL)
    put("controlnet.", convert_controlnet_checkpoint(control, unet_cfg))
    for k, v in control.items():  # the auxiliary latent module keeps its own names
        for part in ("glyph_block.", "position_block.", "fuse_block."):
            if k.startswith(CONTROL + part):
                out["controlnet.controlnet_cond_embedding." + k[len(CONTROL):]] = v
    put("vae.", convert_ldm_vae_checkpoint(_sub(refs, VAE), config.vae_config()))
    clip = convert_ldm_clip_checkpoint(_sub(refs, CLIP))  # -> 'text_model.embeddings...'
    for k, v in clip.items():
        if k == "text_model.embeddings.position_ids":
            continue
        out["text_model." + k[len("text_model."):]] = v
    for k, v in _sub(refs, OCR).items():
        out["text_embedder.recognizer." + k[len(OCR):]] = v
    for k, v in _sub(refs, PROJ).items():
        out["text_embedder.proj." + k[len(PROJ):]] = v
    return out


def _check(official_shapes: dict[str, tuple], config: AnyTextConfig, mapping_fn=None,
           ours: dict[str, tuple] | None = None) -> tuple[KeyReport, dict[str, KeyRef]]:
    """Map official key -> shape onto our model's state (v1 by default; AnyText2 passes its own
    mapping function and model shapes)."""
    from generator.anytext.model import our_state_shapes

    class _S:  # shape holder
        def __init__(self, s): self.shape = s

    mapping = (mapping_fn or key_mapping)({k: _S(s) for k, s in official_shapes.items()}, config)
    ours = ours if ours is not None else our_state_shapes(config)
    rep = KeyReport()
    used = {r.name for r in mapping.values()}
    for k in official_shapes:
        if k in IGNORED:
            rep.ignored.append(k)
        elif k not in used:
            rep.unexpected.append(k)
    for our_key, ref in mapping.items():
        if our_key not in ours:
            rep.unexpected.append(ref.name)
        elif ours[our_key] != ref.shape:
            rep.shape_mismatches.append((ref.name, official_shapes[ref.name], ours[our_key]))
        else:
            rep.mapped.append(ref.name)
    rep.missing = sorted(set(ours) - set(mapping))
    return rep, mapping


def check_keys(rows: list[tuple[str, tuple[int, ...], str]], config: AnyTextConfig | None = None) -> KeyReport:
    """Map every (key, shape, dtype) row of an official key list onto our full-size model built on
    the meta device (no memory) and report what maps, what is missing or unexpected."""
    shapes = {k: tuple(s) for k, s, *_ in rows}
    if config is None:
        config = AnyTextConfig.from_state_dict({k: torch.empty(s, device="meta") for k, s in shapes.items()})
    return _check(shapes, config)[0]


def read_keys_tsv(path) -> list[tuple[str, tuple[int, ...], str]]:
    """Rows of a key list file: key, shape ('x'-joined, empty = 0-dim), dtype[, numel]."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 3 or parts[0] == "key":
                continue
            rows.append((parts[0], tuple(int(s) for s in parts[1].split("x")) if parts[1] else (), parts[2]))
    return rows


def load_official(state_dict: dict, config: AnyTextConfig | None = None, device="cpu",
                  dtype: torch.dtype = torch.float32):
    """Our AnyTextModel from an official-layout state dict, strictly: every tensor our model needs
    must be there with the right shape, and every official key must find a place (schedule buffers
    and position_ids excepted). Raises ValueError naming the first problems otherwise."""
    from generator.anytext.model import AnyTextModel

    config = config or _infer_config(state_dict)
    rep, mapping = _check({k: tuple(v.shape) for k, v in state_dict.items()}, config)
    if not rep.ok:
        def few(xs):
            return ", ".join(map(str, xs[:3])) + (" ..." if len(xs) > 3 else "")
        problems = []
        if rep.missing:
            problems.append(f"{len(rep.missing)} missing ({few(rep.missing)})")
        if rep.unexpected:
            problems.append(f"{len(rep.unexpected)} unexpected ({few(rep.unexpected)})")
        if rep.shape_mismatches:
            problems.append(f"{len(rep.shape_mismatches)} with wrong shapes ({few(rep.shape_mismatches)})")
        raise ValueError("checkpoint does not match the AnyText v1 layout: " + "; ".join(problems))
    ours = {}
    for our_key, ref in mapping.items():
        t = state_dict[ref.name]
        ours[our_key] = t.reshape(ref.shape) if ref.squeeze else t
    model = AnyTextModel.empty(config, "meta")
    model.load_state_dict(ours, strict=True, assign=True)
    # the one non-persistent buffer is not in any state dict: rebuild it off the meta device
    emb = model.text_model.text_model.embeddings if hasattr(model.text_model, "text_model") \
        else model.text_model.embeddings
    emb.register_buffer("position_ids", torch.arange(config.clip_positions)[None], persistent=False)
    return model.to(device=device, dtype=dtype).eval().requires_grad_(False)


# ---- the inverse direction: a tiny checkpoint in the official layout ---------------------------

def official_key_names(config: AnyTextConfig) -> list[str]:
    """Every official key name of an AnyText v1 checkpoint with this config (LDM naming)."""
    names: list[str] = []

    def wb(p):
        names.extend([p + "weight", p + "bias"])

    def resblock(p, skip):
        for s in ("in_layers.0.", "in_layers.2.", "emb_layers.1.", "out_layers.0.", "out_layers.3."):
            wb(p + s)
        if skip:
            wb(p + "skip_connection.")

    def transformer(p):
        wb(p + "norm."); wb(p + "proj_in.")
        b = p + "transformer_blocks.0."
        for a in ("attn1.", "attn2."):
            names.extend(b + a + f"to_{x}.weight" for x in "qkv")
            wb(b + a + "to_out.0.")
        wb(b + "ff.net.0.proj."); wb(b + "ff.net.2.")
        for n in ("norm1.", "norm2.", "norm3."):
            wb(b + n)
        wb(p + "proj_out.")

    def encoder(p):
        wb(p + "time_embed.0."); wb(p + "time_embed.2."); wb(p + "input_blocks.0.0.")
        chans, ch, i = [config.model_channels], config.model_channels, 1
        levels = len(config.channel_mult)
        for lvl, m in enumerate(config.channel_mult):
            for _ in range(config.num_res_blocks):
                out = config.model_channels * m
                resblock(p + f"input_blocks.{i}.0.", ch != out)
                ch = out
                if lvl < levels - 1:
                    transformer(p + f"input_blocks.{i}.1.")
                chans.append(ch); i += 1
            if lvl < levels - 1:
                wb(p + f"input_blocks.{i}.0.op."); chans.append(ch); i += 1
        resblock(p + "middle_block.0.", False); transformer(p + "middle_block.1.")
        resblock(p + "middle_block.2.", False)
        return chans, ch

    chans, ch = encoder(UNET)
    i = 0
    levels = len(config.channel_mult)
    for lvl, m in reversed(list(enumerate(config.channel_mult))):
        for j in range(config.num_res_blocks + 1):
            chans.pop()
            resblock(UNET + f"output_blocks.{i}.0.", True)
            ch = config.model_channels * m
            sub = 1
            if lvl < levels - 1:
                transformer(UNET + f"output_blocks.{i}.1."); sub = 2
            if lvl > 0 and j == config.num_res_blocks:
                wb(UNET + f"output_blocks.{i}.{sub}.conv.")
            i += 1
    wb(UNET + "out.0."); wb(UNET + "out.2.")

    chans, _ = encoder(CONTROL)
    for k in range(len(chans)):
        wb(CONTROL + f"zero_convs.{k}.0.")
    wb(CONTROL + "middle_block_out.0.")
    for k in range(0, 17, 2):
        wb(CONTROL + f"glyph_block.{k}.")
    for k in range(0, 13, 2):
        wb(CONTROL + f"position_block.{k}.")
    wb(CONTROL + "fuse_block.")

    names.extend(CLIP + f"embeddings.{e}.weight" for e in ("token_embedding", "position_embedding"))
    for li in range(config.clip_layers):
        p = CLIP + f"encoder.layers.{li}."
        for x in ("k_proj.", "v_proj.", "q_proj.", "out_proj."):
            wb(p + "self_attn." + x)
        for x in ("layer_norm1.", "mlp.fc1.", "mlp.fc2.", "layer_norm2."):
            wb(p + x)
    wb(CLIP + "final_layer_norm.")

    def vae_res(p, cin, cout):
        for s in ("norm1.", "conv1.", "norm2.", "conv2."):
            wb(p + s)
        if cin != cout:
            wb(p + "nin_shortcut.")

    def vae_mid(p):
        vae_res(p + "mid.block_1.", 0, 0)
        for s in ("norm.", "q.", "k.", "v.", "proj_out."):
            wb(p + "mid.attn_1." + s)
        vae_res(p + "mid.block_2.", 0, 0)

    mult = config.vae_ch_mult
    wb(VAE + "encoder.conv_in.")
    cin = config.vae_ch
    for lvl, m in enumerate(mult):
        for b in range(config.vae_res_blocks):
            vae_res(VAE + f"encoder.down.{lvl}.block.{b}.", cin, config.vae_ch * m)
            cin = config.vae_ch * m
        if lvl < len(mult) - 1:
            wb(VAE + f"encoder.down.{lvl}.downsample.conv.")
    vae_mid(VAE + "encoder."); wb(VAE + "encoder.norm_out."); wb(VAE + "encoder.conv_out.")
    wb(VAE + "decoder.conv_in."); vae_mid(VAE + "decoder.")
    cin = config.vae_ch * mult[-1]
    for lvl in reversed(range(len(mult))):
        for b in range(config.vae_res_blocks + 1):
            vae_res(VAE + f"decoder.up.{lvl}.block.{b}.", cin, config.vae_ch * mult[lvl])
            cin = config.vae_ch * mult[lvl]
        if lvl > 0:
            wb(VAE + f"decoder.up.{lvl}.upsample.conv.")
    wb(VAE + "decoder.norm_out."); wb(VAE + "decoder.conv_out.")
    wb(VAE + "quant_conv."); wb(VAE + "post_quant_conv.")

    from generator.anytext.modules import build_recognizer
    with torch.device("meta"):
        names.extend(OCR + k for k in build_recognizer(config.ocr_classes).state_dict())
    wb(PROJ + "0."); wb(PROJ + "1.")
    return names


def schedule_buffers(config: AnyTextConfig) -> dict[str, torch.Tensor]:
    """The 13 DDPM buffers of an LDM checkpoint (float64 math, stored as float32)."""
    f64 = torch.float64
    betas = torch.linspace(config.beta_start ** 0.5, config.beta_end ** 0.5, config.num_train_timesteps,
                           dtype=f64) ** 2
    ac = torch.cumprod(1.0 - betas, 0)
    ac_prev = torch.cat([torch.ones(1, dtype=f64), ac[:-1]])
    post_var = betas * (1.0 - ac_prev) / (1.0 - ac)
    out = dict(
        betas=betas, alphas_cumprod=ac, alphas_cumprod_prev=ac_prev, sqrt_alphas_cumprod=ac.sqrt(),
        sqrt_one_minus_alphas_cumprod=(1 - ac).sqrt(), log_one_minus_alphas_cumprod=(1 - ac).log(),
        sqrt_recip_alphas_cumprod=(1 / ac).sqrt(), sqrt_recipm1_alphas_cumprod=(1 / ac - 1).sqrt(),
        posterior_variance=post_var, posterior_log_variance_clipped=post_var.clamp(min=1e-20).log(),
        posterior_mean_coef1=betas * ac_prev.sqrt() / (1 - ac),
        posterior_mean_coef2=(1 - ac_prev) * (1 - betas).sqrt() / (1 - ac),
        logvar=torch.zeros(config.num_train_timesteps, dtype=f64))
    return {k: v.float() for k, v in out.items()}


def make_tiny_state_dict(seed: int = 0, config: AnyTextConfig | None = None) -> dict[str, torch.Tensor]:
    """A random checkpoint in the OFFICIAL key layout at the tiny parity size (about 24 M numbers,
    mostly the CLIP vocabulary), which load_official accepts. Deterministic for a seed."""
    from generator.anytext.model import our_state_shapes

    config = config or AnyTextConfig.tiny()
    names = official_key_names(config)
    ours = our_state_shapes(config)
    # official shapes from ours through the mapping (VAE attention weights are 1x1 convs there)
    official_shape = {}
    probe = {n: None for n in names}
    inverse = {}

    class _S:
        def __init__(self, s): self.shape = s
    # first pass: shapes unknown; map with dummy shapes, then fill from our model
    mapping = key_mapping({n: _S((1, 1, 1, 1) if "mid.attn_1." in n and n.endswith("weight") and
                                 not n.split(".")[-2] == "norm" else (1,)) for n in probe}, config)
    for our_key, ref in mapping.items():
        shape = ours[our_key]
        official_shape[ref.name] = shape + (1,) * ref.squeeze
        inverse[ref.name] = our_key
    missing = [n for n in names if n not in official_shape]
    if missing:
        raise RuntimeError(f"tiny layout incomplete: {missing[:3]}")
    g = torch.Generator().manual_seed(seed)
    sd: dict[str, torch.Tensor] = {}
    sd.update(schedule_buffers(config))
    for n in names:
        shape = official_shape[n]
        leaf = n.rsplit(".", 1)[-1]
        if leaf == "num_batches_tracked":
            t = torch.zeros(shape, dtype=torch.long)
        elif leaf == "running_var":
            t = 0.5 + torch.rand(shape, generator=g)
        elif leaf == "running_mean" or leaf == "bias":
            t = 0.05 * torch.randn(shape, generator=g)
        elif len(shape) == 1:  # norm scales
            t = 1.0 + 0.1 * torch.randn(shape, generator=g)
        else:
            t = torch.randn(shape, generator=g) / math.sqrt(math.prod(shape[1:]))
        sd[n] = t
    sd[CLIP + "embeddings.position_ids"] = torch.arange(config.clip_positions)[None]
    return sd


def _infer_config(state_dict: dict) -> AnyTextConfig:
    try:
        return AnyTextConfig.from_state_dict(state_dict)
    except (KeyError, ValueError, IndexError) as e:
        raise ValueError(f"not an AnyText v1 checkpoint (cannot find {e})") from None


def check_state_dict(state_dict: dict, config: AnyTextConfig | None = None) -> KeyReport:
    """Would load_official accept this state dict? Raises ValueError naming the problems."""
    shapes = {k: tuple(v.shape) for k, v in state_dict.items()}
    rep = _check(shapes, config or _infer_config(state_dict))[0]
    if not rep.ok:
        raise ValueError("checkpoint does not match the AnyText v1 layout: " + rep.summary())
    return rep


