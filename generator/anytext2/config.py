"""AnyText2 hyperparameters: v1's (same SD 1.5 UNet, WriteNet = v1 ControlNet layout, CLIP, VAE,
schedule) plus where the AttnX layers sit and the inference defaults of the AnyText2 demo."""
from __future__ import annotations

from dataclasses import dataclass

from generator.anytext.config import AnyTextConfig

COLOR_UNSET = (500, 500, 500)   # the reference's "no colour" sentinel: projected, not masked
CFG_SCALE = 7.5                 # AnyText2 demo default (ms_wrapper's own default is 9.0)
MAX_CHARS = 20


@dataclass(frozen=True)
class AnyText2Config(AnyTextConfig):
    # AttnX (attn1x/attn2x) in the middle block and in the output blocks of these levels
    # (reference `output_attnx_level: [2, 1]` -> output_blocks 3..8 for 4 levels, 2 res blocks)
    attnx_mid: bool = True
    attnx_output_levels: tuple[int, ...] = (2, 1)

    @classmethod
    def tiny(cls) -> AnyText2Config:
        """The parity fixture's size (shared/reference/anytext2_tiny/config.json)."""
        return cls(model_channels=32, context_dim=64, clip_hidden=64, clip_layers=2, clip_heads=2,
                   clip_intermediate=256, vae_ch=32, token_dim=64)

    @property
    def attnx_up_blocks(self) -> tuple[int, ...]:
        """diffusers up_blocks indices carrying AttnX (up block k = level len(mult)-1-k)."""
        n = len(self.channel_mult)
        return tuple(sorted(n - 1 - lvl for lvl in self.attnx_output_levels))

    @classmethod
    def from_state_dict(cls, sd) -> AnyText2Config:
        """v1's shape inference, plus where AttnX sits (from the attn1x keys)."""
        base = super().from_state_dict.__func__(cls, sd)
        unet = "model.diffusion_model."
        mid = any(k.startswith(unet + "middle_block.1.") and ".attn1x." in k for k in sd)
        n, per = len(base.channel_mult), base.num_res_blocks + 1
        blocks = {int(k.split(".")[3]) for k in sd
                  if k.startswith(unet + "output_blocks.") and ".attn1x." in k}
        levels = tuple(sorted({n - 1 - b // per for b in blocks}, reverse=True))
        return base.replace(attnx_mid=mid, attnx_output_levels=levels)
