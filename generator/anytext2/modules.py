"""AnyText2's own parts, on stock diffusers/transformers/rapidocr classes.

- `WriteNetHint`: glyph_block (7 convs, glyphs at 1x) + position_block + fuse_block_za, in diffusers'
  ControlNetModel `controlnet_cond_embedding` slot (added to conv_in(sample), where the reference
  adds `guided_hint`), as v1's AuxLatentModule.
- AttnX: `add_attnx` turns the listed diffusers BasicTransformerBlocks into `AttnXTransformerBlock`,
  which adds `attn1x` (self) and `attn2x` (cross) after attn2, reusing norm1/norm2, scaled by
  `attnx_scale`.
- `LineEmbedder`: the four-term line embedding ((text + position) + style) + colour, with the
  content recognizer (v1's PP-OCRv3 on the glyph line), an EncodeNet on the line's position map, a
  second PP-OCRv3 (the font/style OCR) on the font-hint crop, and a colour projection.
- `PromptEncoder2`: v1's chunked CLIP encoder, but the placeholder index runs on across the chunks
  of one prompt (reset per prompt), and the WriteNet's text prompt is one truncated 77-token chunk.
"""
from __future__ import annotations

import copy
import math

import numpy as np
import torch
import torch.nn.functional as F
from diffusers.configuration_utils import ConfigMixin, register_to_config
from diffusers.models.attention import BasicTransformerBlock
from diffusers.models.modeling_utils import ModelMixin
from torch import nn

from generator.anytext.config import PLACEHOLDER_ID
from generator.anytext.modules import (
    OCR_SHAPE,
    AuxInputs,
    PromptEncoder,
    _conv_chain,
    build_recognizer,
)

# ---- WriteNet conditioning (guided hint) ----------------------------------------------------------

class WriteNetHint(ModelMixin, ConfigMixin):
    """cat[glyph_block(glyphs 1x), position_block(positions), masked_x] -> fuse_block_za."""

    @register_to_config
    def __init__(self, glyph_channels: int = 1, position_channels: int = 1, latent_channels: int = 4,
                 model_channels: int = 320):
        super().__init__()
        self.glyph_block = _conv_chain([glyph_channels, 16, 16, 32, 32, 96, 96, 256], [1, 1, 2, 1, 2, 1, 2])
        self.position_block = _conv_chain([position_channels, 8, 8, 16, 16, 32, 32, 64],
                                          [1, 1, 2, 1, 2, 1, 2])
        self.fuse_block_za = nn.Conv2d(256 + 64 + latent_channels, model_channels, 3, padding=1)

    def encode(self, inputs: AuxInputs) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(guided_hint, enc_glyph, enc_pos); inputs.glyphs is the binarised 1x glyph map."""
        enc_glyph = self.glyph_block(inputs.glyphs)
        enc_pos = self.position_block(inputs.positions)
        hint = self.fuse_block_za(torch.cat([enc_glyph, enc_pos, inputs.masked_x], dim=1))
        return hint, enc_glyph, enc_pos

    def forward(self, cond):
        if isinstance(cond, AuxInputs):
            return self.encode(cond)[0]
        return cond


# ---- AttnX ---------------------------------------------------------------------------------------

class AttnXTransformerBlock(BasicTransformerBlock):
    """SD's transformer block (layer_norm type) with AnyText2's extra attention:
    x = attn1(n1(x)) + x; x = attn2(n2(x), ctx) + x; x = attn1x(n1(x))*s + x;
    x = attn2x(n2(x), ctx)*s + x; x = ff(n3(x)) + x."""

    attnx_scale: float = 1.0

    def forward(self, hidden_states, attention_mask=None, encoder_hidden_states=None,
                encoder_attention_mask=None, timestep=None, cross_attention_kwargs=None,
                class_labels=None, added_cond_kwargs=None):
        h = hidden_states
        h = self.attn1(self.norm1(h)) + h
        h = self.attn2(self.norm2(h), encoder_hidden_states=encoder_hidden_states) + h
        s = self.attnx_scale
        h = self.attn1x(self.norm1(h)) * s + h
        h = self.attn2x(self.norm2(h), encoder_hidden_states=encoder_hidden_states) * s + h
        return self.ff(self.norm3(h)) + h


def add_attnx(block: BasicTransformerBlock) -> AttnXTransformerBlock:
    """Give a stock block attn1x/attn2x (same shapes as attn1/attn2) and the AttnX forward."""
    if block.norm_type != "layer_norm" or block.only_cross_attention or block.attn2 is None:
        raise ValueError("AttnX needs SD's layer_norm transformer block with cross-attention")
    block.attn1x = copy.deepcopy(block.attn1)
    block.attn2x = copy.deepcopy(block.attn2)
    block.__class__ = AttnXTransformerBlock
    block.attnx_scale = 1.0
    return block


def attnx_blocks(unet) -> list[AttnXTransformerBlock]:
    return [m for m in unet.modules() if isinstance(m, AttnXTransformerBlock)]


def set_attnx_scale(unet, scale: float) -> None:
    for b in attnx_blocks(unet):
        b.attnx_scale = float(scale)


# ---- line embedding ------------------------------------------------------------------------------

class EncodeNet(nn.Module):
    """The reference position encoder: conv1 1->16, conv_list (4 stride-2 convs 16->32->64->128->256),
    conv2 256->out, SiLU after each, global average pool."""

    def __init__(self, in_channels: int = 1, out_channels: int = 768):
        super().__init__()
        chan = 16
        self.conv1 = nn.Conv2d(in_channels, chan, 3, padding=1)
        self.conv_list = nn.ModuleList(nn.Conv2d(chan * 2 ** i, chan * 2 ** (i + 1), 3, padding=1, stride=2)
                                       for i in range(4))
        self.conv2 = nn.Conv2d(chan * 16, out_channels, 3, padding=1)
        self.act = nn.SiLU()

    def forward(self, x):
        x = self.act(self.conv1(x))
        for conv in self.conv_list:
            x = self.act(conv(x))
        x = self.act(self.conv2(x))
        return F.adaptive_avg_pool2d(x, 1).flatten(1)


def ocr_resize(img: torch.Tensor) -> torch.Tensor:
    """One CHW 0..255 image (3 ch) -> recognizer input (3, 48, 320): rotate if h > 1.2 w, bilinear
    resize (align_corners=True) to height 48, normalise to [-1, 1], right-pad with zeros."""
    c, H, W = OCR_SHAPE
    if img.shape[1] > 1.2 * img.shape[2]:
        img = img.transpose(1, 2).flip(1)
    h, w = img.shape[1:]
    rw = min(W, math.ceil(H * w / h))
    out = torch.zeros(c, H, W, dtype=img.dtype, device=img.device)
    img = F.interpolate(img[None], size=(H, rw), mode="bilinear", align_corners=True)[0]
    out[:, :, :rw] = (img / 255.0 - 0.5) / 0.5
    return out


def _neck(recognizer, x):
    return recognizer.neck(recognizer.backbone(x))


class LineEmbedder(ModelMixin, ConfigMixin):
    """((LN(proj(ocr_neck)) + position_encoder(pos)) + LN(style_proj(font_ocr_neck))) + LN(color_proj(rgb))."""

    @register_to_config
    def __init__(self, token_dim: int = 768, num_classes: int = 6625, neck_len: int = 40, neck_dim: int = 64,
                 batch: int = 6):
        super().__init__()
        self.recognizer = build_recognizer(num_classes)          # text_predictor (content)
        self.proj = nn.Sequential(nn.Linear(neck_len * neck_dim, token_dim), nn.LayerNorm(token_dim))
        self.position_encoder = EncodeNet(1, token_dim)
        self.font_recognizer = build_recognizer(num_classes)     # embedding_manager.font_predictor
        self.style_proj = nn.Sequential(nn.Linear(neck_len * neck_dim, token_dim), nn.LayerNorm(token_dim))
        self.color_proj = nn.Sequential(nn.Linear(3, token_dim), nn.LayerNorm(token_dim))

    def text_neck(self, ocr_input):
        return _neck(self.recognizer, ocr_input)

    def style_neck(self, ocr_input):
        """The font OCR on its inputs in line order; run, as the reference, in batches of
        `batch` sorted by crop aspect ratio (w/h), then mapped back to line order."""
        return _neck(self.font_recognizer, ocr_input)

    def text_emb(self, gly_lines: torch.Tensor) -> torch.Tensor:
        """gly_lines (N, 1, 80, 512) in 0/1 -> (N, D)."""
        x = torch.stack([ocr_resize((ln * 255).expand(3, -1, -1)) for ln in gly_lines.to(self.dtype)])
        return self.proj(self.text_neck(x).flatten(1))

    def pos_emb(self, positions: torch.Tensor) -> torch.Tensor:
        """positions (N, 1, H, W) in 0/1 -> (N, D)."""
        return self.position_encoder(positions.to(self.dtype))

    def style_inputs(self, crops: list[torch.Tensor]) -> torch.Tensor:
        """Font-hint crops (3, h, w) in 0..1 -> font-OCR input (N, 3, 48, 320) in line order."""
        return torch.stack([ocr_resize(c.to(self.dtype) * 255) for c in crops])

    def style_emb(self, crops: list[torch.Tensor]) -> torch.Tensor:
        x = self.style_inputs(crops)
        order = np.argsort([c.shape[2] / c.shape[1] for c in crops])
        neck = torch.empty(len(crops), self.config.neck_len, self.config.neck_dim, dtype=x.dtype, device=x.device)
        bs = self.config.batch
        for i in range(0, len(order), bs):
            idx = torch.as_tensor(order[i:i + bs], device=x.device)
            neck[idx] = self.style_neck(x[idx])
        return self.style_proj(neck.flatten(1))

    def color_emb(self, colors: torch.Tensor) -> torch.Tensor:
        """colors (N, 3) raw 0..255 RGB (500 = unset), as float32 rgb/255*255."""
        c = (colors.to(torch.float32) / 255.0) * 255.0
        return self.color_proj(c.to(self.dtype))

    def forward(self, gly_lines, positions, crops, colors) -> torch.Tensor:
        return ((self.text_emb(gly_lines) + self.pos_emb(positions)) + self.style_emb(crops)) \
            + self.color_emb(colors)


# ---- prompts -------------------------------------------------------------------------------------

class PromptEncoder2(PromptEncoder):
    """v1's encoder with AnyText2's placeholder rule: the line index runs on across the 77-token
    chunks of one prompt and restarts with each prompt; `encode_text` is the WriteNet's prompt
    (one chunk, truncated to 77 tokens, max-length padding)."""

    def _replace_placeholders(self, module, args, output):
        if self._pending is None:
            return output
        ids = args[0]
        out = output.clone()
        start = 0
        for row in range(ids.shape[0]):
            idx = (ids[row] == PLACEHOLDER_ID).nonzero().flatten()
            n = min(len(idx), max(len(self._pending) - start, 0))
            if n:
                out[row, idx[:n]] = self._pending[start:start + n].to(out.dtype)
            start += n
        return out

    def text_ids(self, text: str) -> torch.Tensor:
        ids = self.tokenizer(text, truncation=True, max_length=77, padding="max_length").input_ids
        return torch.tensor([ids], dtype=torch.long)

    @torch.no_grad()
    def encode_ids(self, ids: torch.Tensor, line_embeds: torch.Tensor | None = None) -> torch.Tensor:
        self._pending = line_embeds
        try:
            hidden = self.text_model(input_ids=ids.to(self.text_model.device)).last_hidden_state
        finally:
            self._pending = None
        return hidden.reshape(1, -1, hidden.shape[-1])

    @torch.no_grad()
    def encode_text(self, text: str, line_embeds: torch.Tensor | None = None):
        """(context (1, 77, D), ids (1, 77)) of the WriteNet's text prompt."""
        ids = self.text_ids(text)
        return self.encode_ids(ids, line_embeds), ids
