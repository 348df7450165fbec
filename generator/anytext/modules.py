"""AnyText v1's own parts, on stock diffusers/transformers/rapidocr classes.

- `AuxLatentModule`: glyph_block + position_block + fuse_block. It sits in diffusers'
  ControlNetModel `controlnet_cond_embedding` slot, which is added to `conv_in(sample)`: exactly
  where AnyText adds its `guided_hint`. Given `AuxInputs` it computes the hint; given a tensor it
  passes it through, so a pipeline computes the hint once per job and reuses it every step.
- `TextEmbedder`: the PP-OCRv3 recognizer (rapidocr's PyTorch network) reads each 512x80 glyph
  line; its SVTR neck output (N, 40, 64) is flattened and projected to the token width.
- `PromptEncoder`: CLIP tokenisation in 75-token chunks and a forward hook on the token-embedding
  layer that replaces the `*` rows by the line embeddings before position embeddings are added.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from diffusers.configuration_utils import ConfigMixin, register_to_config
from diffusers.models.modeling_utils import ModelMixin
from torch import nn

from generator.anytext.config import PLACEHOLDER_ID


@dataclass
class AuxInputs:
    """Raw inputs of the auxiliary latent module (batch first)."""
    glyphs: torch.Tensor      # (B, 1, 2H, 2W) sum of the lines' glyph maps
    positions: torch.Tensor   # (B, 1, H, W) sum of the lines' position maps (not clipped)
    masked_x: torch.Tensor    # (B, 4, H/8, W/8) VAE latent of the masked image x 0.18215


def _conv_chain(channels: list[int], strides: list[int]) -> nn.Sequential:
    # conv, SiLU, conv, SiLU...: indices 0, 2, 4... as in the official state dict
    layers: list[nn.Module] = []
    for cin, cout, s in zip(channels[:-1], channels[1:], strides):
        layers += [nn.Conv2d(cin, cout, 3, padding=1, stride=s), nn.SiLU()]
    return nn.Sequential(*layers)


class AuxLatentModule(ModelMixin, ConfigMixin):
    @register_to_config
    def __init__(self, glyph_channels: int = 1, position_channels: int = 1, latent_channels: int = 4,
                 model_channels: int = 320):
        super().__init__()
        self.glyph_block = _conv_chain([glyph_channels, 8, 8, 16, 16, 32, 32, 96, 96, 256],
                                       [1, 1, 2, 1, 2, 1, 2, 1, 2])
        self.position_block = _conv_chain([position_channels, 8, 8, 16, 16, 32, 32, 64],
                                          [1, 1, 2, 1, 2, 1, 2])
        self.fuse_block = nn.Conv2d(256 + 64 + latent_channels, model_channels, 3, padding=1)

    def encode(self, inputs: AuxInputs) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(guided_hint, enc_glyph, enc_pos)."""
        enc_glyph = self.glyph_block(inputs.glyphs)
        enc_pos = self.position_block(inputs.positions)
        hint = self.fuse_block(torch.cat([enc_glyph, enc_pos, inputs.masked_x], dim=1))
        return hint, enc_glyph, enc_pos

    def forward(self, cond):
        if isinstance(cond, AuxInputs):
            return self.encode(cond)[0]
        return cond  # a guided hint computed once per job


def _ocr_arch(num_classes: int) -> dict:
    """rapidocr's `chinese_cht_PP-OCRv3_rec_mobile` architecture with AnyText's 6625-class head."""
    from pathlib import Path

    import yaml
    import rapidocr.inference_engine.pytorch.networks as nets

    arch = yaml.safe_load((Path(nets.__file__).parent / "arch_config.yaml").read_text())
    cfg = arch["chinese_cht_PP-OCRv3_rec_mobile"]
    cfg["Head"]["out_channels"] = num_classes
    return cfg


def build_recognizer(num_classes: int = 6625) -> nn.Module:
    from rapidocr.inference_engine.pytorch.networks.architectures.base_model import BaseModel

    return BaseModel(_ocr_arch(num_classes)).eval()


OCR_SHAPE = (3, 48, 320)


def ocr_preprocess(lines: torch.Tensor) -> torch.Tensor:
    """Glyph lines (N, 1, h, w) in 0/1 -> recognizer input (N, 3, 48, 320) as AnyText does it:
    x255 to 3 channels, rotate if h > 1.2 w, bilinear resize (align_corners=True) to height 48
    keeping the aspect ratio, normalise to [-1, 1], right-pad with zeros to width 320."""
    c, H, W = OCR_SHAPE
    out = torch.zeros(lines.shape[0], c, H, W, dtype=lines.dtype, device=lines.device)
    for i, ln in enumerate(lines):
        img = (ln * 255).expand(3, -1, -1)
        if img.shape[1] > 1.2 * img.shape[2]:
            img = img.transpose(1, 2).flip(1)
        h, w = img.shape[1:]
        rw = min(W, math.ceil(H * w / h))
        img = F.interpolate(img[None], size=(H, rw), mode="bilinear", align_corners=True)[0]
        out[i, :, :, :rw] = (img / 255.0 - 0.5) / 0.5
    return out


class TextEmbedder(ModelMixin, ConfigMixin):
    """Glyph lines -> one token-width embedding per line (AnyText's EmbeddingManager.encode_text)."""

    @register_to_config
    def __init__(self, token_dim: int = 768, num_classes: int = 6625, neck_len: int = 40, neck_dim: int = 64):
        super().__init__()
        self.recognizer = build_recognizer(num_classes)
        self.proj = nn.Sequential(nn.Linear(neck_len * neck_dim, token_dim), nn.LayerNorm(token_dim))

    def neck(self, ocr_input: torch.Tensor) -> torch.Tensor:
        r = self.recognizer
        return r.neck(r.backbone(ocr_input))  # (N, 40, 64): the CTC head's input features

    def forward(self, lines: torch.Tensor) -> torch.Tensor:
        x = ocr_preprocess(lines.to(self.dtype))
        return self.proj(self.neck(x).flatten(1))


class PromptEncoder:
    """CLIP text encoder with `*` rows replaced by line embeddings (plain helper, no weights)."""

    def __init__(self, tokenizer, text_model):
        self.tokenizer = tokenizer
        self.text_model = text_model
        self._pending: torch.Tensor | None = None
        emb = text_model.get_input_embeddings()
        emb.register_forward_hook(self._replace_placeholders)

    def _replace_placeholders(self, module, args, output):
        if self._pending is None:
            return output
        ids = args[0]
        out = output.clone()
        for row in range(ids.shape[0]):
            idx = (ids[row] == PLACEHOLDER_ID).nonzero().flatten()
            if len(idx):
                # every 77-token chunk restarts at line 0 (the original v1 behaviour)
                out[row, idx] = self._pending[: len(idx)].to(out.dtype)
        return out

    def chunk_ids(self, text: str) -> torch.Tensor:
        """Token ids (k, 77): 75-token chunks each wrapped in BOS ... EOS, EOS-padded."""
        ids = self.tokenizer(text, truncation=False, padding="longest").input_ids
        bos, eos = ids[0], ids[-1]
        body = ids[1:-1]
        chunks = [body[i:i + 75] for i in range(0, len(body), 75)] or [[]]
        rows = [[bos] + c + [eos] * (75 - len(c)) + [eos] for c in chunks]
        return torch.tensor(rows, dtype=torch.long)

    @torch.no_grad()
    def encode(self, text: str, line_embeds: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """(context (1, 77k, D), ids (k, 77)) for one prompt."""
        ids = self.chunk_ids(text)
        device = self.text_model.device
        self._pending = line_embeds
        try:
            hidden = self.text_model(input_ids=ids.to(device)).last_hidden_state  # final LayerNorm applied
        finally:
            self._pending = None
        return hidden.reshape(1, -1, hidden.shape[-1]), ids

    @torch.no_grad()
    def token_embeds(self, ids: torch.Tensor, line_embeds: torch.Tensor | None = None) -> torch.Tensor:
        self._pending = line_embeds
        try:
            return self.text_model.get_input_embeddings()(ids.to(self.text_model.device))
        finally:
            self._pending = None
